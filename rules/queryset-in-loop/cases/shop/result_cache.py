from .models import Author, Book, Boundary, Note


def titles_by_author(names):
    # One query per name, where the rows are first fetched: the truth test fills the queryset's cache, and the
    # loops after it read the cache.
    out = {}
    for name in names:
        books = Book.objects.filter(author__name=name)
        if not books:  # expect: queryset-in-loop
            continue
        out[name] = [b.title for b in books]
        print(len([b for b in books if b.price]))
    return out


def iterated_twice(authors):
    for author in authors:
        books = Book.objects.filter(author=author).order_by("title")
        titles = [b.title for b in books]  # expect: queryset-in-loop
        prices = [b.price for b in books]
        print(titles, prices)


def filtered_again(authors):
    # A new filter() is a new query.
    for author in authors:
        books = Book.objects.filter(author=author)
        titles = [b.title for b in books]  # expect: queryset-in-loop
        cheap = [b.title for b in books.filter(price__lt=10)]  # expect: queryset-in-loop
        print(titles, cheap, Author)


def first_after_a_truth_test(authors):
    # An ordered queryset's first() slices the cache the truth test filled; an unordered one adds order_by("pk").
    for author in authors:
        if books := Book.objects.filter(author=author).order_by("title"):  # expect: queryset-in-loop
            print(books.first().title)
        latest = Book.objects.filter(author=author)
        if latest:  # expect: queryset-in-loop
            print(latest.first().title)  # expect: queryset-in-loop


def newest_note_after_a_truth_test(books):
    # Ordered by a queryset method of the project (order_by("-created")): first() reads the cache.
    for book in books:
        notes = Note.objects.filter(book=book).newest()
        if notes:  # expect: queryset-in-loop
            print(notes.first().created)


def count_after_a_truth_test(authors):
    # exists() and count() read the cache the left operand filled: `not books` runs the one query.
    for author in authors:
        books = Book.objects.filter(author=author)
        if not books or not books.exists():  # expect: queryset-in-loop
            continue
        print(books.count())


def boundaries_after_a_truth_test(features):
    # Boundary's TreeManager orders by the tree: first() reads the cache the truth test filled (RapidPro's
    # import_geojson).
    for feature in features:
        boundary = Boundary.objects.filter(osm_id=feature["osm_id"])
        if boundary:  # expect: queryset-in-loop
            print(boundary.first().name)
