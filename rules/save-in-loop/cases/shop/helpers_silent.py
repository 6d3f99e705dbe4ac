from .models import Attachment, Book, Review
from .helpers import mark_sold_out
from .utils import reset_rating, reset_rating_later


def reprice(book, rate, commit=True):
    book.price = book.price * rate
    if commit:
        book.save(update_fields=["price"])


def maybe_save(book, commit):
    if not commit:
        return book
    book.save()
    return book


def careful_save(book):
    try:
        book.save()
    except ValueError:
        pass


def copy_of(book):
    book = Book(title=book.title + " (copy)", author_id=book.author_id, price=book.price)
    book.save()


def deferred(rate):
    books = list(Book.objects.all())
    for book in books:
        reprice(book, rate, commit=False)
    Book.objects.bulk_update(books, ["price"])


def deferred_by_default():
    for review in Review.objects.all():
        reset_rating_later(review)


def flag_unknown(rate, commit):
    for book in Book.objects.all():
        reprice(book, rate, commit=commit)


def early_exit(flag):
    for book in Book.objects.all():
        maybe_save(book, flag)


def guarded_helper():
    for book in Book.objects.all():
        careful_save(book)


def rebinding_helper():
    for book in Book.objects.all():
        copy_of(book)


def guarded_call():
    for review in Review.objects.all():
        try:
            reset_rating(review)
        except ValueError:
            pass


def unknown_fields(objs):
    for obj in objs:
        obj.save(update_fields=["colour"])


def once(pk):
    reset_rating(Review.objects.get(pk=pk))


def first_sold_out(isbns):
    # The helper's save is followed by a return: it runs once.
    for book in Book.objects.filter(isbn__in=isbns):
        if book.stock == 0:
            mark_sold_out(book)
            return book
    return None



def rebuild_attachment(attachment, content):
    from django.core.files.base import ContentFile

    attachment.attachment = ContentFile(content, "out.pdf")
    attachment.save()


def rebuild_all(book, content):
    # The helper gives each row a new file, which its save() writes to storage.
    for attachment in Attachment.objects.filter(book=book):
        rebuild_attachment(attachment, content)
