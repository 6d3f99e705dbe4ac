from django.http import JsonResponse
from django.shortcuts import get_object_or_404

from .models import Book, Edition, Review


def book_keys(request, pk):
    book = get_object_or_404(Book, pk=pk)
    author_id = book.author.id  # expect: fk-id
    author_pk = book.author.pk  # expect: fk-id
    editor = book.editor.pk  # expect: fk-id
    return JsonResponse({"author": author_id, "pk": author_pk, "editor": editor})


def review_keys(request, pk):
    review = Review.objects.get(pk=pk)
    return JsonResponse({"book": review.book.id, "author": review.book.author.pk})  # expect: fk-id


def read_in_a_branch(request, pk):
    book = get_object_or_404(Book, pk=pk)
    if request.GET.get("full"):
        print(book.author)
    return JsonResponse({"author": book.author.pk})  # expect: fk-id


def read_on_the_right_of_and(request, pk):
    book = get_object_or_404(Book, pk=pk)
    if request.user.is_staff and request.user != book.author:
        return JsonResponse({}, status=403)
    return JsonResponse({"author": book.author.pk})  # expect: fk-id


def rebound_after_the_read(request, pk):
    book = get_object_or_404(Book, pk=pk)
    print(book.author)
    book = Book.objects.get(pk=request.GET["other"])
    return JsonResponse({"author": book.author.pk})  # expect: fk-id


def rebound_later_in_the_loop(request, ids):
    # Read before the loop; the loop binds book again after the key read, so the next pass reads another book.
    book = Book.objects.get(pk=ids[0])
    print(book.author)
    for pk in ids:
        print(book.author.pk)  # expect: fk-id
        book = Book.objects.get(pk=pk)
    return JsonResponse({})


def refreshed_after_the_read(request, pk):
    book = get_object_or_404(Book, pk=pk)
    print(book.author)
    book.refresh_from_db()
    return JsonResponse({"author": book.author.pk})  # expect: fk-id


def key_read_before_the_load(request, pk):
    book = Book.objects.get(pk=pk)
    return JsonResponse({"label": str(book.author.id) + ": " + str(book.editor)})  # expect: fk-id


def notify(author):
    print(author)


def loaded_later_in_a_branch(request, pk):
    book = Book.objects.get(pk=pk)
    author_id = book.author.pk  # expect: fk-id
    if request.GET.get("full"):
        notify(book.author)
    return JsonResponse({"author": author_id})


def loaded_after_a_return(request, pk):
    book = Book.objects.get(pk=pk)
    author_id = book.author.pk  # expect: fk-id
    if author_id is None:
        return JsonResponse({})
    notify(book.author)
    return JsonResponse({"author": author_id})


def key_or_none(request, pk):
    book = Book.objects.get(pk=pk)
    return JsonResponse({"editor": book.editor.pk if book.editor else None})  # expect: fk-id


def key_or_blank(request, pk):
    book = Book.objects.get(pk=pk)
    return JsonResponse({"editor": book.editor.id if book.editor is not None else ""})  # expect: fk-id
