from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.generic import DetailView, ListView

from .listing import featured, first_ten, paginate, sort_queryset, with_authors
from .models import Author, Book, Publisher


def catalog(request):
    books = Book.objects.filter(published__isnull=False)
    books = sort_queryset(books, request, ["title"])
    if request.GET.get("q"):
        books = books.filter(title__icontains=request.GET["q"])
    return render(request, "shop/catalog.html", {"books": paginate(books, request.GET.get("page"))})


def catalog_paged(request):
    books = Book.objects.filter(published__isnull=False)
    paginator = Paginator(books, per_page=20)
    books = paginator.get_page(request.GET.get("page"))
    return render(request, "shop/catalog.html", {"books": books})


def catalog_joined(request):
    books = with_authors(Book.objects.filter(published__isnull=False))
    if request.GET.get("q"):
        books = books.filter(title__icontains=request.GET["q"]).prefetch_related("tags")
    return render(request, "shop/catalog_joined.html", {"books": paginate(books, 1)})


def catalog_unsure(request):
    books = Book.objects.filter(published__isnull=False)
    if request.GET.get("joined"):
        books = Book.objects.select_related("author")
    books = sort_queryset(books, request, ["title"])
    return render(request, "shop/catalog_unsure.html", {"books": books, "featured": featured(Book.objects.all())})


class AuthorIndex(ListView):
    template_name = "shop/author_index.html"
    context_object_name = "authors"

    def get_queryset(self):
        authors = first_ten(Author.objects.filter(name__startswith="A"))
        if not self.request.GET.get("sort"):
            return authors
        return sort_queryset(authors, self.request, ["name"])


def tagged(request):
    books = Book.objects.filter(published__isnull=False)
    return render(request, "shop/tagged.html", {"books": books, "joined": books.select_related("author__publisher", "editor")})


class AuthorDetail(DetailView):
    model = Author
    template_name = "shop/author_detail.html"

    def get_object(self, queryset=None):
        return Author.objects.prefetch_related("book_set__tags").get(pk=self.kwargs["pk"])


def publisher_authors(request):
    # The template reads author.profile on the rows of publisher.author_set: a path through a reverse foreign key
    # needs prefetch_related("author_set__profile") (select_related would raise FieldError).
    publishers = Publisher.objects.prefetch_related("author_set")
    return render(request, "shop/publisher_authors.html", {"publishers": publishers})


def twice(request):
    # The second loop over the same queryset reads its result cache: the authors the first loop loaded.
    books = Book.objects.filter(published__isnull=False)
    return render(request, "shop/twice.html", {"books": books, "others": Book.objects.filter(published__isnull=True)})
