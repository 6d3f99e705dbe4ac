from .models import Book, Imprint


def assigns_the_relation(author):
    # Setting a foreign key runs no query, and caches the object: reading it back is free.
    for book in Book.objects.filter(published__isnull=True):
        book.author = author
        print(book.author.name)


def assigns_relations_in_a_tuple(author, editor):
    for book in Book.objects.all():
        book.author, book.editor = author, editor
        print(book.title)


def assigns_below_a_relation(author):
    # `book.author.name = ...` loads book.author first.
    for book in Book.objects.all():
        book.author.name = author.name  # expect: n-plus-one
        print(book.title)


def reads_after_setting_the_key_only(author):
    # Setting the key column does not cache the object: reading the relation still queries.
    for book in Book.objects.all():
        book.author_id = author.pk
        print(book.author.name)  # expect: n-plus-one


def saves_rows_whose_save_reads_relations_only_when_new():
    for imprint in Imprint.objects.filter(name=""):
        imprint.name = "untitled"
        imprint.save()


def saves_rows_whose_save_reads_a_relation_only_inside_its_own_loop():
    from .models import Branch

    for branch in Branch.objects.filter(name=""):
        branch.name = "main"
        branch.save()


def calls_a_method_that_reads_a_relation():
    for imprint in Imprint.objects.all():
        print(imprint.describe())  # expect: n-plus-one


def calls_a_method_whose_query_a_prefetch_would_not_serve():
    # Shelf.sorted_titles() orders shelf.books.all() anew: prefetch_related("books") would not remove its query.
    from .models import Shelf

    for shelf in Shelf.objects.all():
        print(shelf.sorted_titles())


def reads_in_two_loops_over_one_queryset():
    # The second loop reads the first one's result cache: the same instances, with author already loaded.
    books = Book.objects.filter(title__startswith="A")
    for book in books:
        print(book.author.name)  # expect: n-plus-one
    return [book.author.name for book in books]


def reads_in_loops_over_two_querysets():
    for book in Book.objects.filter(title__startswith="A"):
        print(book.author.name)  # expect: n-plus-one
    return [book.author.name for book in Book.objects.filter(title__startswith="B")]  # expect: n-plus-one


def reads_after_refresh_from_db():
    # refresh_from_db() clears the row's cached relations: select_related on the loop's queryset would not serve
    # the read after it (the refresh is the per-row query to look at). Silent.
    for book in Book.objects.all():
        book.refresh_from_db()
        print(book.author.name)


def reads_before_refresh_from_db():
    for book in Book.objects.all():
        print(book.author.name)  # expect: n-plus-one
        book.refresh_from_db()


def reads_when_a_row_fails():
    # Only a failing row reads the author: prefetching it for every row would cost more.
    for book in Book.objects.all():
        try:
            print(book.title.encode("ascii"))
        except UnicodeError:
            print(book.author.name)


def reads_in_try_for_every_row():
    for book in Book.objects.all():
        try:
            print(book.author.name)  # expect: n-plus-one
        except UnicodeError:
            pass


def author_name(book):
    return book.author.name


def hands_the_row_when_it_fails():
    for book in Book.objects.all():
        try:
            print(book.title.encode("ascii"))
        except UnicodeError:
            print(author_name(book))


def hands_the_row_when_it_is_missing():
    # `except DoesNotExist` is the lookup's "missing" branch, not an error path: it may run for most rows.
    for book in Book.objects.all():
        try:
            print(book.reviews.get(rating=5))
        except Book.DoesNotExist:
            print(author_name(book))  # expect: n-plus-one


def hands_books_over(editor):
    # hand_over() assigns book.editor and reads nothing through it.
    for book in Book.objects.all():
        book.hand_over(editor)
