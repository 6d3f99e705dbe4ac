from django.http import JsonResponse

from .models import Author, Book


async def feed(request):
    items = []
    async for book in Book.objects.filter(stock__gt=0):
        items.append({"title": book.title, "author": book.author.name})  # expect: async-lazy-load
    return JsonResponse({"items": items})


async def detail(request, pk):
    book = await Book.objects.aget(pk=pk)
    return JsonResponse({"author": book.author.name})  # expect: async-lazy-load


async def tags(request, pk):
    book = await Book.objects.select_related("author").aget(pk=pk)
    names = [t.name for t in book.tags.all()]  # expect: async-lazy-load
    return JsonResponse({"author": book.author.name, "tags": names})


async def counts(request, pk):
    author = await Author.objects.aget(pk=pk)
    n = author.book_set.count()  # expect: async-lazy-load
    first = author.book_set.filter(stock__gt=0).first()  # expect: async-lazy-load
    return JsonResponse({"n": n, "first": first.title})
