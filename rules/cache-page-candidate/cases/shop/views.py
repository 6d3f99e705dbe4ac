from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView, TemplateView, View

from .models import Book


def catalog(request):  # expect: cache-page-candidate
    books = Book.objects.order_by("title")
    return render(request, "shop/catalog.html", {"books": books})


@require_GET
def book_detail(request, pk):  # expect: cache-page-candidate
    book = get_object_or_404(Book, pk=pk)
    return render(request, "shop/book_detail.html", {"book": book})


def book_count(request):  # expect: cache-page-candidate
    return JsonResponse({"count": Book.objects.count()})


# Silent: a view that runs no query gains little from cache_page.
class AboutView(TemplateView):
    template_name = "shop/about.html"


class BookListView(ListView):  # expect: cache-page-candidate
    # No template_name: Django uses shop/book_list.html.
    model = Book


class BookDetailView(DetailView):  # expect: cache-page-candidate
    model = Book
    template_name = "shop/book_detail.html"


# Silent: no database work.
class PingView(View):
    def get(self, request):
        return HttpResponse("ok")
