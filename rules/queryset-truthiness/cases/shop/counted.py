from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect

from .models import Author, Book, Export, Publisher, Review


def count_as_truth(request):
    if Review.objects.filter(rating=1).count():  # expect: queryset-truthiness
        messages.error(request, "Someone hated a book.")
    if not Book.objects.filter(stock=0).count():  # expect: queryset-truthiness
        messages.info(request, "Nothing is out of stock.")
    return redirect("home")


def count_in_a_test(request, pk):
    book = get_object_or_404(Book, pk=pk)
    return request.user.is_staff or bool(book.reviews.count())  # expect: queryset-truthiness


def parameter_of_unknown_origin(book):
    # `book` could be anything: not known to be a model instance.
    return bool(book.reviews.count())


def class_method_queryset(request):
    # A model class method the analysis cannot follow; a count() without arguments on it is still a query.
    if request.user.is_superuser or Publisher.accessible_objects(request.user).count():  # expect: queryset-truthiness
        return redirect("admin")
    return redirect("home")


def counted_and_used(request):
    n = Author.objects.count()
    if n:
        messages.info(request, f"{n} authors")
    return redirect("home")


def shrinking(batch):
    while Review.objects.filter(rating=0).count():
        Review.objects.filter(pk__in=batch).delete()


def list_count(names):
    if names.count("x"):
        return True
    return False


def unknown_object(search):
    if search.count():
        return True
    return False


def rows_per_loop(request):
    for author in Author.objects.all():
        if author.book_set.count():
            messages.info(request, author.name)
    return redirect("home")


def named_then_compared(rating):
    reviews = Review.objects.filter(rating=rating)
    return reviews.count() > 0  # expect: queryset-truthiness


def counted_twice(rating):
    reviews = Review.objects.filter(rating=rating)
    return {"any": reviews.count() > 0, "n": reviews.count()}  # expect: queryset-truthiness


def free_code(make_code):
    # A retry until the code is free: the count changes as the loop works.
    code = make_code()
    while Review.objects.filter(rating=code).count() > 0:
        code = make_code()
    return code


def tested_then_counted(rating):
    # `if reviews:` fetches the rows and count() then reads them from the cache: exists() would add a query. Count
    # once and test the number (no fix).
    reviews = Review.objects.filter(rating=rating)
    if reviews:  # expect: queryset-truthiness
        return reviews.count()
    return 0


def partly_unique(book, kind):
    # One column of a set unique together, or a set unique only under a condition: many rows may match.
    if Export.objects.filter(book=book).count() > 0:  # expect: queryset-truthiness
        return True
    return Export.objects.filter(book=book, kind=kind).count() > 0  # expect: queryset-truthiness
