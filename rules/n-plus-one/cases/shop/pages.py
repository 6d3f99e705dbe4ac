from django.shortcuts import render
from django.views.generic import ListView, TemplateView

from .models import Author, Book


def book_page(request):
    books = Book.objects.filter(title__startswith="A")
    return render(request, "shop/book_page.html", {"books": books})


def joined_book_page(request):
    books = Book.objects.select_related("author").filter(title__startswith="A")
    return render(request, "shop/book_page_joined.html", {"books": books})


class AuthorListView(ListView):
    model = Author
    template_name = "shop/author_list.html"


class ShelfView(TemplateView):
    template_name = "shop/shelf.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["books"] = Book.objects.all()
        context.update({"authors": Author.objects.prefetch_related("book_set")})
        return context


def swapped_rows(request):
    # The include gets another object through a filter (book|latest_edition): what the view joins does not reach
    # it, so its reads are not this queryset's to fix.
    return render(request, "shop/swapped.html", {"books": Book.objects.all()})


class OwnBooksView(ListView):
    # No template_name: Django renders shop/book_own.html (template_name_suffix replaces "_list").
    model = Book
    template_name_suffix = "_own"
