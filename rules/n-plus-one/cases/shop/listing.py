"""Helpers a project's views pass their querysets through (imported by catalog.py)."""
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404

from .models import Author


def sort_queryset(queryset, request, allowed):
    sort = request.GET.get("sort")
    if sort in allowed:
        queryset = queryset.order_by(sort)
    return queryset


def paginate(items, page_number):
    paginator = Paginator(items, 20)
    try:
        items = paginator.page(page_number)
    except ValueError:
        items = paginator.page(1)
    return items


def with_authors(queryset):
    return queryset.select_related("author")


def first_ten(queryset=None):
    if queryset is None:
        queryset = Author.objects.all()
    return queryset[:10]


def featured(queryset):
    return [b for b in queryset if b.published]


def paginate_or_404(items, page_number):
    paginator = Paginator(items, 20)
    try:
        items = paginator.page(page_number)
    except InvalidPage:
        raise Http404("no such page")
    return items
