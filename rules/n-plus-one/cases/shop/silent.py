from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404, render

from .models import AudioBook, Author, Book, Publisher, Review, Shelf


def joined_where_built(request):
    for book in Book.objects.select_related("author__publisher").prefetch_related("tags", "reviews"):
        print(book.author.name, book.author.publisher.name)
        print([t.name for t in book.tags.all()], [r.rating for r in book.reviews.all()])


def joined_on_reassignment(request):
    books = Book.objects.filter(published__isnull=False)
    books = books.select_related("author")
    for book in books:
        print(book.author.name)


def joined_in_a_branch(request, with_authors=False):
    books = Book.objects.all()
    if with_authors:
        books = books.select_related("author")
    for book in books:
        print(book.author.name)


def select_related_without_arguments(request):
    for book in Book.objects.select_related():
        print(book.author.name)


def manager_get_queryset_joins(request):
    for review in Review.objects.filter(rating__gte=4):
        print(review.book.title)


def custom_queryset_method_as_manager(request):
    for book in Book.objects.published().with_author():
        print(book.author.name)


def custom_queryset_method_from_queryset(request):
    for shelf in Shelf.objects.with_owner():
        print(shelf.owner.name)


def multi_table_inherited_joined(request):
    for audio in AudioBook.objects.select_related("author", "narrator"):
        print(audio.title, audio.author.name, audio.narrator.name)


def prefetch_to_attr(request):
    top = Prefetch("reviews", queryset=Review.objects.filter(rating=5), to_attr="top_reviews")
    for book in Book.objects.prefetch_related(top):
        print([r.rating for r in book.top_reviews])


def prefetch_object_with_inner_join(request):
    authors = Author.objects.prefetch_related(Prefetch("book_set", queryset=Book.objects.select_related("author")))
    for author in authors:
        for book in author.book_set.all():
            print(book.author.name)


def values_rows(request):
    for row in Book.objects.values("title", "author__name"):
        print(row["title"], row["author__name"])
    for title, name in Book.objects.values_list("title", "author__name"):
        print(title, name)


def foreign_key_column(request):
    for book in Book.objects.all():
        print(book.author_id)


def annotated_name(request):
    for author in Author.objects.annotate(book_count=Count("book")):
        print(author.name, author.book_count)


def single_instance(request, pk):
    book = get_object_or_404(Book, pk=pk)
    return render(request, "shop/book.html", {"author": book.author.name, "tags": book.tags.all()})


def unknown_origin(books):
    for book in books:
        print(book.author.name)


def hinted_parameter(books: "QuerySet[Book]"):
    # The caller built the queryset: what it joined is unknown here.
    for book in books:
        print(book.author.name)


def no_reverse_accessor_for_plus(request):
    for author in Author.objects.all():
        # Review.reviewer has related_name="+": Author has no review_set, so this is not a relation.
        print(author.review_set)


def publishers_with_authors(request):
    return [p.name for p in Publisher.objects.prefetch_related("author_set") if p.author_set.all()]


def filtered_to_a_null_key(request):
    # Every row's editor_id is NULL: Django answers None without a query.
    for book in Book.objects.filter(editor__isnull=True):
        print(book.title, book.editor)
    for book in Book.objects.filter(published__isnull=False, editor=None).order_by("title"):
        if book.editor is None:
            print(book.title)


def key_of_the_relation_only():
    # Only the key is read: fk-id's hint (book.author_id runs no query), not a join.
    for book in Book.objects.all():
        print(book.author.id, book.author.pk)


def key_and_more():
    for book in Book.objects.all():
        print(book.author.pk)  # expect: n-plus-one
        print(book.author.name)


def peers_of_each(books):
    # untagged_peers hands self.tags.all() to an __in lookup: a subquery, not a load of the tags.
    return [list(book.untagged_peers) for book in Book.objects.all()]


def published_per_author():
    # A project QuerySet method on the relation runs a new query whatever is prefetched: queryset-in-loop's.
    for author in Author.objects.all():
        print([b.title for b in author.book_set.published()])


def titles_checked(request):
    # The relation reads are in a raise, which leaves the loop: at most one query.
    out = []
    for book in Book.objects.all():
        if not book.title:
            raise ValueError(f"{book.editor.name} left {book.pk} untitled")
        out.append(book.checked_title)
    return out


def opaque_or_none(request, visible):
    # One branch builds the rows with a call the analysis cannot read, the other an empty queryset: where the rows
    # come from is unknown (Review Board's repositories widget), so nothing is reported and no fix edits none().
    books = visible(request.user)
    if books.count():
        books = books.only("id", "author_id").select_related("author")[:10]
    else:
        books = Book.objects.none()
    return [book.author.name for book in books]


def reprint_titles(request):
    # Reprint.__init__ loads the book already: the loop's read is cached, and a join would not save that query.
    from .models import Reprint

    return [(r.book.title, r.year) for r in Reprint.objects.all()]


def reprint_printers(request):
    # The printer is not read in __init__: one query per reprint.
    from .models import Reprint

    return [r.printer.name for r in Reprint.objects.all()]  # expect: n-plus-one
