from django.utils.timezone import now

from .models import Book, Review


def copy_until_settled():
    # Re-checks for rows created since the last pass until there are none: the query reads state the loop moves.
    since = now()
    books = Book.objects.all()
    while True:
        for title in books.values_list("title", flat=True):
            print(title)
        books = Book.objects.filter(created__gte=since)
        if count := books.count():
            print(count)
            since = now()
            continue
        break


def probe_ids():
    # A counter: one query per id.
    pk = 0
    while True:
        if not Book.objects.filter(pk=pk).exists():  # expect: queryset-in-loop
            break
        pk += 1


def drain(queue):
    # State taken from a queue: one query per item.
    pk = queue.pop()
    while queue:
        if Book.objects.filter(pk=pk).exists():  # expect: queryset-in-loop
            pk = queue.pop()
            continue
        break


def retries_in_a_for_loop(attempts):
    since = now()
    for _ in range(attempts):
        if Book.objects.filter(created__gte=since).count():  # expect: queryset-in-loop
            since = now()
            continue
        break


def purge_reviews(book_ids):
    # The loop's own delete changes the answer of its condition: batched deletion, not a loop-invariant query.
    doomed = Review.objects.filter(book_id__in=book_ids)
    while doomed.exists():
        pks = list(doomed.values_list("pk", flat=True)[:1000])
        Review.objects.filter(pk__in=pks).delete()


def prune_empty_reviews():
    # Deletes to a fixpoint: each pass may leave new rows to delete; the loop's own delete decides when it ends.
    while True:
        doomed = Review.objects.filter(rating=0, book__isnull=True)
        if doomed.exists():
            doomed.delete()
        else:
            break


def wait_for_reviews(pk):
    # Nothing in the loop writes reviews: one query per pass of a busy loop.
    while True:
        ready = Review.objects.filter(book_id=pk)
        if ready.exists():  # expect: queryset-in-loop
            break
