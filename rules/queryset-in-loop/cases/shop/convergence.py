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


def import_chain(fetch, seed):
    # Follows a chain of references until every one is stored: the rows already stored are re-read on each pass,
    # since the pass stores more, and what is left decides whether the loop ends (treeherder's Bugzilla import).
    todo = set(seed)
    passes = 0
    while passes < 10:
        passes += 1
        pending = todo - set(Book.objects.filter(price__gt=0).values_list("isbn", flat=True))
        if len(pending) == 0:
            break
        todo = set()
        for item in fetch(pending):
            Book.objects.update_or_create(isbn=item["isbn"], defaults={"price": item["price"]})  # expect: queryset-in-loop
            todo |= set(item["refs"])


def stored_per_pass(fetch, seed):
    # The same read, but nothing ends the loop on it: one query per pass.
    for item in fetch(seed):
        known = set(Book.objects.filter(author=item["author"]).values_list("isbn", flat=True))  # expect: queryset-in-loop
        print(known)


def ensure_reviewer(ask):
    # Asks until a review exists: the loop's own create ends it, so the create runs once (Kolibri's superuser prompt).
    while not Review.objects.filter(rating=5).exists():
        Review.objects.create(book_id=ask(), rating=5)


def fill_shelf(ask):
    # A create of another model than the condition's: one per pass.
    while not Review.objects.filter(rating=5).exists():  # expect: queryset-in-loop
        Book.objects.create(title=ask())  # expect: queryset-in-loop
