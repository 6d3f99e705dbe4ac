from django.db import transaction

from .models import Book


def reprice(book_ids):
    # One row lock per iteration's transaction: fetched before the loop, the rows would not be locked.
    for book_id in book_ids:
        with transaction.atomic():
            book = Book.objects.select_for_update().get(pk=book_id)
            book.price += 1
            book.save(update_fields=["price"])


def no_rows(rows):
    for row in rows:
        # none() never reaches the database.
        books = Book.objects.none()
        if books.count() == 0:
            books = Book.objects.filter(title=row["title"])
        for book in books:  # expect: queryset-in-loop
            print(book.title)


def read_each(book_ids):
    for book_id in book_ids:
        book = Book.objects.get(pk=book_id)  # expect: queryset-in-loop
        print(book.title)


def restock_reviews(book_ids):
    # The rows of a locked queryset, iterated in each iteration's transaction: locks, not a prefetch to make.
    for book_id in book_ids:
        with transaction.atomic():
            book = Book.objects.select_for_update().get(pk=book_id)
            locked = book.reviews.select_for_update().all()
            for review in locked:
                review.save()
