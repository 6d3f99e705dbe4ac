from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from .models import Author, Book, Review


def restock(request):
    empty = Book.objects.filter(stock=0)
    if empty:  # expect: queryset-truthiness
        messages.warning(request, "Some books are out of stock.")
    return redirect("home")


def no_reviews(request, pk):
    book = get_object_or_404(Book, pk=pk)
    reviews = book.reviews.filter(rating__gte=4)
    if not reviews:  # expect: queryset-truthiness
        messages.info(request, "No good reviews yet.")
    return redirect(book)


def has_authors():
    return bool(Author.objects.filter(publisher__isnull=True))  # expect: queryset-truthiness


def counted(request):
    if Review.objects.filter(rating=1).count() > 0:  # expect: queryset-truthiness
        messages.error(request, "Someone hated a book.")
    if Book.objects.count() == 0:  # expect: queryset-truthiness
        messages.info(request, "The shop is empty.")
    if 1 <= Author.objects.filter(email__endswith=".org").count():  # expect: queryset-truthiness
        messages.info(request, "Some authors are non-profits.")
    return redirect("home")


def combined(request):
    pending = Review.objects.filter(rating=0)
    label = "check" if pending and request.user.is_staff else "ok"  # expect: queryset-truthiness
    return render(request, "label.html", {"label": label})


def failure_summary(author):
    # The same count is needed for the total: exists() would add a query. Count once.
    failed = Book.objects.filter(author=author, title="")
    return {"has_failures": bool(failed.count()), "failures": failed.count()}  # expect: queryset-truthiness


def email_taken(request, email):
    # A unique column: one row at most, still fetched whole and built into an instance nobody uses.
    if Author.objects.filter(email=email):  # expect: queryset-truthiness
        return redirect("taken")
    return redirect("free")
