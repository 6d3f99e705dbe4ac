from django.conf import settings

from . import models
from .models import Author, Book, Review
from .roles import Level, Role

COLUMNS = {"title", "isbn"}
kinds = ("draft", "published")


def missing_columns():
    # A loop over a constant set of column names: one query per column, each on a different column.
    for column in COLUMNS:
        if Book.objects.filter(**{column: None}).exists():
            print(column)


def filled_columns():
    for column in COLUMNS - {"isbn"}:
        params = {f"{column}__isnull": False}
        books = Book.objects.exclude(**params)
        if books.exists():
            print(column)


def per_literal_state():
    for state in ["draft", "sold"]:
        print(Book.objects.filter(title=state).count())


def per_module_kind():
    for kind in kinds:
        print(Book.objects.filter(title=kind).count())


def per_setting():
    allowed = set(settings.BOOK_COLUMNS)
    forbidden = set(COLUMNS).difference(allowed)
    for column in settings.BOOK_COLUMNS:
        for book in Book.objects.filter(**{f"{column}__isnull": True}).iterator():
            print(book.pk)
    for column in forbidden:
        print(Book.objects.filter(**{column: None}).count())
    print([Book.objects.filter(title=t).exists() for t in sorted(allowed)])


def columns_of_a_parameter(columns):
    # The loop variable only names the column (a key of the ** lookup): a different column each time.
    for column in columns:
        print(Book.objects.filter(**{f"{column}__isnull": True}).count())


def values_of_a_parameter(titles):
    for title in titles:
        print(Book.objects.filter(title=title).count())  # expect: queryset-in-loop


def keys_and_values_of_a_parameter(pairs):
    for column, value in pairs:
        print(Book.objects.filter(**{column: value}).count())  # expect: queryset-in-loop


def values_of_a_queryset():
    for author in Author.objects.all():
        print(Book.objects.filter(**{"author": author}).count())  # expect: queryset-in-loop


def a_local_list_that_takes_a_parameter(titles):
    wanted = ["x"] + list(titles)
    for title in wanted:
        print(Book.objects.filter(title=title).exists())  # expect: queryset-in-loop


def a_constant_name_bound_in_the_function(author):
    TITLES = Book.objects.filter(author=author).values_list("title", flat=True)
    for title in TITLES:
        print(Review.objects.filter(book__title=title).exists())  # expect: queryset-in-loop


def rows_inside_a_constant_loop(rows):
    for column in COLUMNS:
        for row in rows:
            print(Book.objects.filter(**{column: row}).exists())  # expect: queryset-in-loop


def a_constant_loop_inside_rows():
    for book in Book.objects.all():
        for rating in (4, 5):
            print(Review.objects.filter(book=book, rating=rating).count())  # expect: queryset-in-loop


def first_author_by_role():
    # An enumeration's members are fixed by the code: three queries at most, whatever the data.
    for role in Role:
        if author := Author.objects.filter(name=role.value).first():
            return author
    for level in Level:
        print(Book.objects.filter(title=level.value).count())
    for shelf in models.Shelf:
        print(Book.objects.filter(title=shelf).count())
    return None


def per_reviewer_rank(reviewers):
    # A plain class is not an enumeration: iterating it is an error at run time, and a name
    # that is not a class is data.
    for rank in reviewers:
        print(Book.objects.filter(title=rank).count())  # expect: queryset-in-loop


def duplicate_per_constraint(book):
    # A model's metadata is written in the code: one query per unique_together entry.
    for fields in Book._meta.unique_together:
        lookup = {f: getattr(book, f) for f in fields}
        if Book.objects.filter(**lookup).exclude(pk=book.pk).exists():
            return fields
    return None


def count_by_role_imported_here():
    # The enumeration imported inside the function: its three members, as at the top.
    from .roles import Role as Kind

    for kind in Kind:
        print(Author.objects.filter(name=kind.value).count())
