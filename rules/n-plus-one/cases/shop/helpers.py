from .models import Author, Book


def published_books():
    return Book.objects.filter(published__isnull=False).select_related("author")


def publisher_names():
    for book in published_books():
        print(book.author.publisher.name)  # expect: n-plus-one


def authors():
    return Author.objects.order_by("name")


def author_report():
    for author in authors():
        print(author.publisher.name, [b.title for b in author.book_set.all()])  # expect: n-plus-one
