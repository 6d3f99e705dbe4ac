from .models import Author, Book, Shelf, Tag


def list_comprehension():
    return [book.author.name for book in Book.objects.all()]  # expect: n-plus-one


def set_comprehension():
    return {book.author.publisher_id for book in Book.objects.all()}  # expect: n-plus-one


def dict_comprehension():
    return {author.pk: author.publisher.name for author in Author.objects.all()}  # expect: n-plus-one


def generator_expression():
    return sum(len(book.title) + book.tags.count() for book in Book.objects.all())  # count() is a queryset-in-loop


def generator_over_many():
    return list(tag.name for shelf in Shelf.objects.all() for tag in shelf.books.all())  # expect: n-plus-one


def nested_loops():
    for author in Author.objects.all():
        for book in Book.objects.filter(author=author).with_author():
            for tag in book.tags.all():  # expect: n-plus-one
                print(author.name, book.author.name, tag.name)


def enumerated():
    for i, book in enumerate(Book.objects.order_by("title")):
        print(i, book.author.name)  # expect: n-plus-one


def nested_path_from_unjoined_relation():
    for book in Book.objects.all():
        print(book.author.publisher.name)  # expect: n-plus-one


def list_of_queryset():
    books = list(Book.objects.all())
    for book in books:
        print(book.author.name)  # expect: n-plus-one


def sliced():
    for book in Book.objects.order_by("-published")[:10]:
        print(book.author.name)  # expect: n-plus-one


def built_in_two_branches(prefix):
    # The queryset is built in either branch: the fix edits both (one alone would leave the other path's N+1).
    if prefix:
        books = Book.objects.filter(title__startswith=prefix)
    else:
        books = Book.objects.all()
    for book in books:
        print(book.author.name)  # expect: n-plus-one


def narrowed_in_a_branch(prefix):
    # Built once and narrowed in a branch: one place takes the fix.
    books = Book.objects.all()
    if prefix:
        books = books.filter(title__startswith=prefix)
    for book in books:
        print(book.author.name)  # expect: n-plus-one


def filtered_to_a_set_key(request):
    for book in Book.objects.filter(editor__isnull=False):
        print(book.editor.name)  # expect: n-plus-one


def read_further_the_second_time():
    # The first read loads author; the second goes on to its publisher: the join covers both.
    for book in Book.objects.all():
        print(book.author.name)  # expect: n-plus-one
        print(book.author.publisher)


def either_arm(in_stock):
    # Built by a conditional expression: the fix edits both arms.
    books = Book.objects.filter(stock__gt=0) if in_stock else Book.objects.all()
    for book in books:
        print(book.author.name)  # expect: n-plus-one
