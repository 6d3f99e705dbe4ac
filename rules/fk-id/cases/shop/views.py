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
