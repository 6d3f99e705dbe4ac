from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_page
from django.views.generic import TemplateView

from .models import Author, Book, Category, Edition, Review, Tag


def recent_books():
    """Shared helper: the newest published books (nothing is joined)."""
    return Book.objects.filter(published_on__isnull=False).order_by("-published_on")[:20]


@login_required
def book_report(request):
    books = Book.objects.filter(published_on__isnull=False)
    lines = []
    for book in books:
        # N+1: author is not joined, so every row runs one more query
        lines.append(f"{book.title} by {book.author.name}")
    # fine: author is joined
    for book in Book.objects.filter(published_on__isnull=True).select_related("author"):
        lines.append(f"{book.title} (draft) by {book.author.name}")
    # fine: .values() returns dicts and the join happens in SQL
    for row in Book.objects.filter(category__isnull=True).values("title", "author__name"):
        lines.append(f"{row['title']} (uncategorised) by {row['author__name']}")
    return render(request, "catalog/report.html", {"lines": lines})


@login_required
def author_shelves(request):
    authors = Author.objects.filter(mentor__isnull=True)
    # N+1: the reverse FK book_set is queried once per author
    shelves = [(a.name, list(a.book_set.all())) for a in authors]
    # fine: Prefetch(..., to_attr=...) loads all recent books in one extra query
    recent = Book.objects.filter(published_on__year__gte=2020)
    mentees = Author.objects.filter(mentor__isnull=False).prefetch_related(
        Prefetch("book_set", queryset=recent, to_attr="recent_books")
    )
    shelves += [(a.name, a.recent_books) for a in mentees]
    return render(request, "catalog/shelves.html", {"shelves": shelves})


@login_required
def tag_index(request):
    books = Book.objects.published()
    by_tag = {}
    for book in books:
        # N+1: tags are not prefetched, so each book runs its own M2M query
        for tag in book.tags.all():
            by_tag.setdefault(tag.name, []).append(book.title)
    # fine: tags are prefetched in one extra query
    for book in Book.objects.filter(published_on__isnull=True).prefetch_related("tags"):
        for tag in book.tags.all():
            by_tag.setdefault(tag.name, []).append(f"{book.title} (draft)")
    return render(request, "catalog/tag_index.html", {"by_tag": sorted(by_tag.items())})


@login_required
def publisher_report(request):
    books = Book.objects.published().select_related("author")
    lines = []
    for book in books:
        # N+1: only author is joined; the publisher needs "author__publisher"
        lines.append(f"{book.title} ({book.author.publisher.name})")
    # fine: the whole path is joined
    for book in Book.objects.filter(published_on__isnull=True).select_related("author__publisher"):
        lines.append(f"{book.title} (draft, {book.author.publisher.name})")
    return render(request, "catalog/report.html", {"lines": lines})


@login_required
def recent_feed(request):
    items = []
    for book in recent_books():
        # N+1: recent_books() builds its queryset without joining author
        items.append({"title": book.title, "author": book.author.name})
    return JsonResponse({"items": items})


@login_required
async def book_feed(request):
    items = []
    async for book in Book.objects.filter(published_on__isnull=False):
        # N+1: author is not joined (in async code this lazy load even raises)
        items.append({"title": book.title, "author": book.author.name})
    return JsonResponse({"items": items})


@login_required
def author_stats(request):
    authors = Author.objects.all()
    stats = []
    with_drafts = []
    for author in authors:
        # query in loop: one COUNT query per author
        stats.append((author.name, author.book_set.count()))
        # query in loop: one EXISTS query per author
        if Book.objects.filter(author=author, published_on__isnull=True).exists():
            with_drafts.append(author.name)
    # fine: annotate() counts in the same query, author.n is a plain attribute
    book_counts = [(a.name, a.n) for a in Author.objects.annotate(n=Count("book"))]
    context = {"stats": stats, "with_drafts": with_drafts, "book_counts": book_counts}
    return render(request, "catalog/author_stats.html", context)


@login_required
def latest_reviews(request):
    lines = []
    # fine for n-plus-one: ReviewManager.get_queryset() already joins book.
    # Over-fetching: only rating and book are read, yet every row loads the unused body TextField.
    for review in Review.objects.all()[:20]:
        lines.append(f"{review.book.title}: {review.rating}/5")
    # fine: created_by is inherited from the abstract Tracked base and is joined
    for book in Book.objects.select_related("created_by")[:20]:
        lines.append(f"{book.title} added by {book.created_by.username}")
    return render(request, "catalog/report.html", {"lines": lines})


@login_required
def edition_pages(request):
    # over-fetching: only isbn and page_count are read, but every column
    # (full_text, metadata, ...) is loaded; use .only("isbn", "page_count")
    editions = Edition.objects.filter(language="en")
    total = 0
    lines = []
    for edition in editions:
        total += edition.page_count
        lines.append(f"{edition.isbn}: {edition.page_count} pages")
    # fine: only() limits the SELECT to the columns that are read
    for edition in Edition.objects.filter(language="fr").only("isbn", "page_count"):
        total += edition.page_count
        lines.append(f"{edition.isbn}: {edition.page_count} pages (fr)")
    return render(request, "catalog/report.html", {"lines": lines, "total": total})


@login_required
def book_isbns(request, slug):
    book = get_object_or_404(Book, slug=slug)
    isbns = []
    # over-fetching: one field is read; values_list("isbn", flat=True) would do
    for edition in Edition.objects.filter(book=book):
        isbns.append(edition.isbn)
    # extra query: book.author.id loads the author row just to read its key
    author_key = book.author.id
    # fine: author_id is a column of the book row itself
    more = Book.objects.filter(author_id=book.author_id).exclude(pk=book.pk)
    data = {"isbns": isbns, "author": author_key, "more": list(more.values_list("slug", flat=True))}
    return JsonResponse(data)


# fine (no cache hint): @login_required, so the page differs per user
@login_required
def book_list(request):
    # N+1 in the template: book_list.html reads book.author.name for every row
    books = Book.objects.filter(published_on__isnull=False)
    return render(request, "catalog/book_list.html", {"books": books})


# cacheable: only reads, and categories.html uses no user/request/csrf/messages
def category_index(request):
    categories = Category.objects.filter(parent__isnull=True).annotate(n=Count("books"))
    return render(request, "catalog/categories.html", {"categories": categories})


# cacheable: a GET-only class-based view that only reads
class TagCloudView(TemplateView):
    template_name = "catalog/tag_cloud.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tags"] = Tag.objects.annotate(n=Count("book")).order_by("-n")[:50]
        return context


# fine: already cached with @cache_page
@cache_page(60 * 15)
def tag_page(request, name):
    tag = get_object_or_404(Tag, name=name)
    # fine: tag.html reads book.author.name and author is joined
    books = tag.book_set.select_related("author")
    return render(request, "catalog/tag.html", {"tag": tag, "books": books})
