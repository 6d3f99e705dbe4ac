from .models import Book, Review
from .utils import reset_rating


def mark_sold_out(book):
    book.stock = 0
    book.save()


def reprice(book, rate, commit=True):
    book.price = book.price * rate
    if commit:
        book.save(update_fields=["price"])


def sold_out(isbns):
    for book in Book.objects.filter(title__in=isbns):
        mark_sold_out(book)  # expect: save-in-loop


def reset_all():
    for review in Review.objects.filter(rating__lt=0):
        reset_rating(review)  # expect: save-in-loop


def reprice_all(rate):
    for book in Book.objects.all():
        reprice(book, rate)  # expect: save-in-loop


def restock(books):
    # Books from anywhere: update_fields says they are model instances, and only Book has a stock field.
    for book in books:
        book.stock = 10
        book.save(update_fields=["stock"])  # expect: save-in-loop
