from django.http import JsonResponse
from django.shortcuts import get_object_or_404

from .models import Author, Book, Chapter, Edition


def joined(request, pk):
    book = get_object_or_404(Book.objects.select_related("author"), pk=pk)
    return JsonResponse({"author": book.author.id, "name": book.author.name})


def attname(request, pk):
    book = Book.objects.get(pk=pk)
    return JsonResponse({"author": book.author_id})


def to_field(request, pk):
    # book_id holds the book's title here (to_field), not its primary key
    edition = Edition.objects.get(pk=pk)
    return JsonResponse({"book": edition.book.pk})


def unknown(book):
    return book.author.id


def assigned_here(request, pk):
    book = Book.objects.get(pk=pk)
    book.author = Author.objects.get(email=request.GET["email"])
    return JsonResponse({"author": book.author.id})


def own_key(request, pk):
    author = Author.objects.get(pk=pk)
    return JsonResponse({"id": author.id, "publisher": author.publisher_id})


def loaded_by_condition(request, pk):
    # The condition loads book.author (cached on the instance); reading its pk inside runs no query.
    book = get_object_or_404(Book, pk=pk)
    if request.user != book.author and not request.user.is_staff:
        if book.author.pk != request.session.get("author"):
            return JsonResponse({}, status=403)
    return JsonResponse({"title": book.title})


def loaded_by_statement(request, pk):
    book = Book.objects.get(pk=pk)
    author = book.author
    return JsonResponse({"name": author.name, "author": book.author.pk})


def loaded_earlier_in_the_expression(request, pk):
    # str(book.author) loads the author first; the key read after it uses the cached row.
    book = Book.objects.get(pk=pk)
    return JsonResponse({"label": str(book.author) + ": " + str(book.author.id)})


def notify(author):
    print(author)


def loaded_later(request, pk):
    # book.author is loaded on every path after the key read: the key read only loads it earlier.
    book = Book.objects.get(pk=pk)
    author_id = book.author.pk
    notify(book.author)
    return JsonResponse({"author": author_id})


def loaded_by_save(request, pk):
    # Chapter.save() reads self.book.
    chapter = Chapter.objects.get(pk=pk)
    book_id = chapter.book.id
    chapter.save()
    return JsonResponse({"book": book_id})


def loaded_in_two_loops(request, ids, others):
    # The left operand of `and` loads book.author; the name is bound again only in the other loop (frePPLe's
    # report permissions).
    for pk in ids:
        book = Book.objects.get(pk=pk)
        if book.author and book.author.id != request.user.id:
            return JsonResponse({}, status=403)
    for pk in others:
        book = Book.objects.get(pk=pk)
        if book.author and book.author.id != request.user.id:
            return JsonResponse({}, status=403)
    return JsonResponse({})


def loaded_by_a_property(request, pk):
    # Chapter.heading is a property that reads self.book.
    chapter = Chapter.objects.get(pk=pk)
    book_id = chapter.book.id
    return JsonResponse({"book": book_id, "heading": chapter.heading})


def loaded_by_a_method_that_saves(request, pk):
    chapter = Chapter.objects.get(pk=pk)
    book_id = chapter.book.id
    chapter.publish()
    return JsonResponse({"book": book_id})
