from .models import Author, Book


def restock(book_id, deliveries):
    # The same row saved once per delivery: bulk_update() of one object is no fix; one save after the loop is.
    book = Book.objects.get(pk=book_id)
    for delivery in deliveries:
        book.stock += delivery.quantity
        book.save(update_fields=["stock"])  # expect: save-in-loop


def rename_each(names):
    for name in names:
        author = Author.objects.get(name=name)
        author.name = name.title()
        author.save()  # expect: save-in-loop


def per_file(paths):
    for path in paths:
        with open(path) as fh:
            book = Book.objects.get(title=fh.read())
        book.save()  # expect: save-in-loop
