from django.contrib.auth.models import Permission
from django.db.models import Sum

from .models import Author, Book, Review, Sale, Tag


def get_per_item(isbns):
    for isbn in isbns:
        book = Book.objects.get(isbn=isbn)  # expect: queryset-in-loop
        print(book.title)


def first_per_item(emails):
    return [Author.objects.filter(email=e).first() for e in emails]  # expect: queryset-in-loop


def count_per_row():
    for author in Author.objects.all():
        print(author.name, Book.objects.filter(author=author).count())  # expect: queryset-in-loop


def exists_per_row():
    for book in Book.objects.all():
        if Review.objects.filter(book=book, rating=5).exists():  # expect: queryset-in-loop
            print(book.title)


def aggregate_per_row():
    for book in Book.objects.all():
        total = Sale.objects.filter(book=book).aggregate(Sum("quantity"))  # expect: queryset-in-loop
        print(book.title, total)


def create_per_item(rows):
    for title, isbn, author_id in rows:
        Book.objects.create(title=title, isbn=isbn, author_id=author_id, price=0)  # expect: queryset-in-loop


def create_constant_per_item(n):
    for _ in range(n):
        Tag.objects.create(name=f"draft-{n}")  # expect: queryset-in-loop


def get_or_create_per_item(names):
    tags = []
    for name in names:
        tag, _ = Tag.objects.get_or_create(name=name)  # expect: queryset-in-loop
        tags.append(tag)
    return tags


def related_manager_count():
    for author in Author.objects.all():
        print(author.name, author.book_set.count())  # expect: queryset-in-loop


def related_manager_exists():
    for book in Book.objects.all():
        if book.reviews.exists():  # expect: queryset-in-loop
            print(book.title)


def filtered_related_manager():
    for book in Book.objects.prefetch_related("reviews"):
        # filter() on a prefetched relation ignores the prefetch cache and runs a new query.
        good = book.reviews.filter(rating__gte=4).count()  # expect: queryset-in-loop
        print(book.title, good)


def loop_invariant(rows):
    for row in rows:
        if Book.objects.count() > 100:  # expect: queryset-in-loop
            print(row)


def loop_invariant_in_comprehension(ids):
    return [(i, Tag.objects.exists()) for i in ids]  # expect: queryset-in-loop


async def async_get(isbns):
    for isbn in isbns:
        book = await Book.objects.aget(isbn=isbn)  # expect: queryset-in-loop
        print(book.title)


def while_loop(queue):
    while queue:
        pk = queue.pop()
        print(Book.objects.get(pk=pk))  # expect: queryset-in-loop


def queryset_built_and_iterated_per_row():
    for author in Author.objects.all():
        for book in Book.objects.filter(author=author):  # expect: queryset-in-loop
            print(book.title)


def invariant_query_in_a_loop_that_writes(titles):
    for title in titles:
        # The loop creates books, so the count changes: reported, but no hoist fix is offered.
        if Book.objects.count() < 1000:  # expect: queryset-in-loop
            Book.objects.create(title=title, isbn=title[:13], author_id=1, price=0)  # expect: queryset-in-loop


def grant(user, codenames):
    # Django's own models count like the project's.
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))  # expect: queryset-in-loop


def books_in_tags(tags):
    # The __in value is the same on every iteration: the row's own author still makes one query per author
    # (Misago's user sync).
    for author in Author.objects.all():
        print(author.book_set.filter(tags__in=tags).count())  # expect: queryset-in-loop


def books_of_each_batch(batches):
    # The __in value is what the loop produces: one query per batch, the point of batching.
    for batch in batches:
        print(Book.objects.filter(pk__in=batch).count())


def tag_pages(pages):
    # The author depends on the page only, not on the tag the inner loop is at: once per page is enough (taiga's
    # milestone per story of an iteration).
    for page in pages:
        for tag in page["tags"]:
            author = Author.objects.get(pk=page["author"])  # expect: queryset-in-loop
            print(tag, author.name)
