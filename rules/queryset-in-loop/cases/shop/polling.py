import asyncio
import time

from .models import Book, Review


def wait_for_a_review(book_id, timeout):
    # Polling: the answer is meant to change between iterations.
    started = time.time()
    while time.time() - started < timeout:
        if Review.objects.filter(book_id=book_id).exists():
            return True
        time.sleep(2)
    return False


async def wait_for_a_review_async(book_id):
    while not await Review.objects.filter(book_id=book_id).aexists():
        await asyncio.sleep(1)


def rate_limited(isbns):
    # A for loop over items that sleeps between them: still one query per item.
    for isbn in isbns:
        print(Book.objects.get(isbn=isbn))  # expect: queryset-in-loop
        time.sleep(0.1)


def polls_then_walks_rows():
    while True:
        for book in Book.objects.filter(price=0):
            print(book.reviews.count())  # expect: queryset-in-loop
        time.sleep(60)


def ready_books(stop):
    # A generator that starts again from the top after each book it hands out: its caller changes the rows in
    # between (pulpcore's worker queue), so each pass reads them afresh.
    while not stop():
        for book in Book.objects.filter(price__gt=0).order_by("created"):
            yield book
            break
        else:
            break
