import time

from django.conf import settings
from django.utils.timezone import now

from .models import Author, Book, Review, Tag

COLUMNS = {"title", "price", "stock"}


def strip_columns():
    # A constant set of column names: one UPDATE per column, each of a different column.
    for column in COLUMNS - {"title"}:
        Book.objects.filter(**{f"{column}__isnull": False}).update(**{column: None})


def per_literal_state():
    for rating in [1, 2]:
        Review.objects.filter(rating=rating).update(rating=rating + 1)


def per_setting(pk):
    book = Book.objects.get(pk=pk)
    for field in settings.RESET_FIELDS:
        setattr(book, field, None)
        book.save()


def clear_columns(columns):
    # The loop variable only names the column.
    for column in columns:
        qs = Book.objects.filter(**{f"{column}__isnull": False})
        qs.update(**{column: None})


def set_values(titles):
    for title in titles:
        Book.objects.filter(title=title).update(stock=0)  # expect: save-in-loop


def rows_inside_a_constant_loop():
    for column in COLUMNS:
        for book in Book.objects.all():
            book.save(update_fields=[column])  # expect: save-in-loop


def heartbeat(author_id):
    # A polling loop: one write per tick, on purpose.
    author = Author.objects.get(pk=author_id)
    while True:
        author.name = str(now())
        author.save()
        time.sleep(30)


def chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def readd(to_add):
    # One UPDATE per batch of 1000 keys.
    for chunk in chunks(list(Book.objects.values_list("pk", flat=True)), 1000):
        wanted = to_add.intersection(set(chunk))
        if wanted:
            Book.objects.filter(pk__in=wanted).update(stock=0)


def in_slices(pks):
    for i in range(0, len(pks), 500):
        Review.objects.filter(pk__in=pks[i:i + 500]).delete()


def keys_of_each_row(book_ids_of):
    for author in Author.objects.all():
        Review.objects.filter(book_id__in=book_ids_of(author)).update(rating=0)  # expect: save-in-loop


def convert(batch):
    return len(batch), {r.book_id for r in batch}


def by_key_batches():
    # Keyset batches: what a helper derives from the batch is one UPDATE per batch (RapidPro's convert_bsuid_urns).
    last_id = 0
    while True:
        batch = list(Review.objects.filter(id__gt=last_id).order_by("id")[:1000])
        if not batch:
            break
        last_id = batch[-1].id
        count, changed = convert(batch)
        Book.objects.filter(id__in=changed).update(stock=0)


def per_row_helper(rows):
    # A helper given the loop's own row still makes one UPDATE per row.
    for review in rows:
        count, changed = convert([review])
        Book.objects.filter(id__in=changed).update(stock=0)  # expect: save-in-loop


def one_key_as_a_list(pks):
    for pk in pks:
        Book.objects.filter(pk__in=[pk]).update(stock=0)  # expect: save-in-loop


def mark(book):
    book.stock = 0
    book.save(update_fields=["stock"])


def mark_two(first_pk, second_pk):
    # Two books, named in the code: two saves.
    first = Book.objects.get(pk=first_pk)
    second = Book.objects.get(pk=second_pk)
    for book in (first, second):
        mark(book)


def mark_each(books):
    for book in books:
        mark(book)  # expect: save-in-loop


def purge_low_ratings():
    # Deleted in batches of 1000 until none are left: one DELETE per batch.
    low = Review.objects.filter(rating__lt=2)
    while low.exists():
        pks = list(low.values_list("pk", flat=True)[:1000])
        Review.objects.filter(pk__in=pks).delete()


def restock_first_of_each(shelves):
    # The break leaves the inner loop only: one save per shelf.
    for shelf in shelves:
        for book in Book.objects.filter(title__in=shelf, stock=0):
            book.stock = 1
            book.save()  # expect: save-in-loop
            break


def restock_until_sold(books):
    # The save may be followed by continue, so the break after it does not end the loop.
    for book in Book.objects.filter(title__in=books):
        if book.stock:
            book.stock -= 1
            book.save()  # expect: save-in-loop
            continue
        break


def passes(fetch):
    # A counter the while loop only raises: the pass-0 reset runs once.
    depth = -1
    while depth < 5:
        depth += 1
        if depth == 0:
            Book.objects.filter(stock=0).delete()
        fetch(depth)


def by_kind(kinds):
    # One branch per kind: each write runs once per distinct kind, not once per row.
    for kind in kinds:
        if kind == "sold_out":
            Book.objects.filter(stock=0).update(title="sold out")


def delete_listed(path, size=1000):
    # Accumulate and flush: one DELETE per `size` ids.
    batch = []
    for line in open(path):
        batch.append(int(line))
        if size <= len(batch):
            Review.objects.filter(id__in=batch).delete()
            batch = []
    if batch:
        Review.objects.filter(id__in=batch).delete()


def delete_listed_unbatched(path):
    # The condition tests another list than the one the loop grows: one DELETE per line.
    batch = []
    done = []
    for line in open(path):
        done.append(line)
        if len(batch) >= 100:
            Review.objects.filter(id=int(line)).delete()  # expect: save-in-loop


def relate_groups(groups):
    # `len(...) > 1` tests a queryset's size, not a buffer's: one INSERT per group.
    for ids in groups:
        related = Book.objects.filter(id__in=ids)
        if len(related) > 1:
            tag = Tag(name=str(ids[0]))
            tag.save()  # expect: save-in-loop
            related.update(stock=0)
