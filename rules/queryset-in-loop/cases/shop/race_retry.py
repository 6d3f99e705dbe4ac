"""Race-retry loops: `while True` around an insert that may lose a race (IntegrityError), left once it succeeds."""
from django.db import IntegrityError
from django.db.models import Max

from .models import Review, Sale


def next_sale(book):
    # Goes round again only when another request took the number first: it must then re-read the maximum.
    while True:
        number = (Sale.objects.filter(book=book).aggregate(n=Max("quantity"))["n"] or 0) + 1
        try:
            sale = Sale.objects.create(book=book, quantity=number)
        except IntegrityError:
            pass
        else:
            break
    return sale


def vote(book, rating):
    review = Review(book=book, rating=rating)
    while True:
        try:
            review.save()
        except IntegrityError:
            try:
                review = Review.objects.get(book=book, rating=rating)
            except Review.DoesNotExist:
                continue
            review.delete()
        break


def import_reviews(book, rows):
    # A loop over rows that skips duplicates is per row, whatever it catches.
    for row in rows:
        try:
            Review.objects.create(book=book, rating=row["rating"])  # expect: queryset-in-loop
        except IntegrityError:
            continue


def retry_without_exit(book):
    # No way out on success: not a retry loop.
    while True:
        try:
            Sale.objects.create(book=book, quantity=1)  # expect: queryset-in-loop
        except IntegrityError:
            pass
