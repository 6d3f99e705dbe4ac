from asgiref.sync import sync_to_async
from django.http import JsonResponse

from .models import Author, Book


async def joined(request):
    items = []
    async for book in Book.objects.select_related("author").prefetch_related("tags"):
        items.append((book.author.name, [t.name for t in book.tags.all()], book.tags.count()))
    return JsonResponse({"items": items})


async def key_only(request, pk):
    book = await Book.objects.aget(pk=pk)
    return JsonResponse({"author": book.author_id})


async def async_forms(request, pk):
    author = await Author.objects.aget(pk=pk)
    n = await author.book_set.acount()
    titles = [b.title async for b in author.book_set.all()]
    return JsonResponse({"n": n, "titles": titles})


async def wrapped(request, pk):
    book = await Book.objects.aget(pk=pk)
    name = await sync_to_async(lambda: book.author.name)()

    def load():
        return list(book.tags.all())

    tags = await sync_to_async(load)()
    return JsonResponse({"name": name, "tags": len(tags)})


def sync_view(request, pk):
    book = Book.objects.get(pk=pk)
    return JsonResponse({"author": book.author.name})


async def unknown(book):
    return book.author.name


async def lazy_only(request, pk):
    author = await Author.objects.aget(pk=pk)
    qs = author.book_set.filter(stock__gt=0)
    return JsonResponse({"titles": [b.title async for b in qs]})
