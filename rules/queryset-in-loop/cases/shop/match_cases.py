from .models import Book


def by_kind(rows):
    # Each case of a match builds the queryset: the flow follows every case.
    for row in rows:
        match row["kind"]:
            case "title":
                books = Book.objects.filter(title=row["value"])
            case _:
                books = Book.objects.filter(isbn=row["value"])
        for book in books:  # expect: queryset-in-loop
            print(book.title)
