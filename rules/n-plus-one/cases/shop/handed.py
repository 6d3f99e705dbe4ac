from django.db.models import Q

from . import formatting
from .formatting import author_line, counted, describe, key_only, rebound, row_html
from .models import Author, Book, Publisher


def imported_helper():
    return [author_line(book) for book in Book.objects.all()]  # expect: n-plus-one


def handed_on_and_keyword():
    for book in Book.objects.all():
        print(describe(book=book, with_tags=True))  # expect: n-plus-one


def module_attribute():
    for book in Book.objects.filter(published__isnull=False):
        print(formatting.author_line(book))  # expect: n-plus-one


def nested_helper():
    def label(author):
        return f"{author.name} ({author.publisher.name})"

    return {author.pk: label(author) for author in Author.objects.all()}  # expect: n-plus-one


def through_property():
    def show(book):
        return book.byline

    for book in Book.objects.all():
        print(show(book))  # expect: n-plus-one


def template_per_row():
    return [row_html(book) for book in Book.objects.all()]  # expect: n-plus-one


class Report:
    def lines(self):
        for book in Book.objects.all():
            yield self.line(book)  # expect: n-plus-one

    def line(self, book):
        return book.editor.name if book.editor_id else "-"


# Silent


def joined():
    return [author_line(book) for book in Book.objects.select_related("author")]


def read_in_loop_too():
    for book in Book.objects.all():
        # Reported once, where the loop reads it.
        print(book.author.name, author_line(book))  # expect: n-plus-one


def columns_only():
    return [key_only(book) for book in Book.objects.all()]


def counts_only():
    return [counted(book) for book in Book.objects.all()]


def parameter_rebound():
    return [rebound(book) for book in Book.objects.all()]


def shadowed():
    author_line = str
    return [author_line(book) for book in Book.objects.all()]


def outside_loop(pk):
    book = Book.objects.get(pk=pk)
    return author_line(book)


def unknown_function():
    return [sorted_label(book) for book in Book.objects.all()]  # noqa: F821


def publisher_name(book, publisher=None):
    if publisher is None:
        publisher = book.author.publisher
    return publisher.name


def publisher_given():
    # The caller passes the publisher, so the fallback that loads it from the book does not run.
    publisher = Publisher.objects.first()
    return [publisher_name(book, publisher) for book in Book.objects.all()]


def publisher_left_out():
    return [publisher_name(book) for book in Book.objects.all()]  # expect: n-plus-one


def publisher_given_as_none():
    return [publisher_name(book, publisher=None) for book in Book.objects.all()]  # expect: n-plus-one


def _others_like(book):
    # book.tags.all() is a subquery inside Q(): compiled into the SQL, no rows loaded.
    return Book.objects.exclude(Q(pk=book.pk) | Q(tags__in=book.tags.all())).count()


def likeness_report():
    return [_others_like(book) for book in Book.objects.all()]


def reassign(editor):
    def move(book, to):
        # Assigning the relation runs no query; save() writes the key.
        book.editor = to
        book.save(update_fields=["editor"])

    for book in Book.objects.filter(title__startswith="Draft"):
        move(book, editor)


def transfer(book, author):
    # The helper sets the relation before it reads it, itself or through the helper it hands the book to: cached
    # (onadata's transfer_project).
    book.author = author
    book.save()
    print(book.author.name)
    print(author_line(book))


def transfer_all(author):
    for book in Book.objects.filter(title__startswith="A"):
        transfer(book, author)


def read_then_set(book, author):
    print(book.author.name)
    book.author = author


def reassign_all(author):
    for book in Book.objects.filter(title__startswith="B"):
        read_then_set(book, author)  # expect: n-plus-one


def first_review(book):
    # A query of its own after all() (order_by(), iterator()): a prefetch of reviews would not serve it.
    review = book.reviews.all().order_by("id").first()
    for r in book.reviews.all().iterator():
        print(r)
    return review


def first_reviews():
    for book in Book.objects.filter(title__startswith="C"):
        print(first_review(book))
