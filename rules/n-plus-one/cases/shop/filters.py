import django_filters

from .models import Book


class BookFilter(django_filters.FilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Book
        fields = ["title"]


class JoiningBookFilter(BookFilter):
    def filter_queryset(self, queryset):
        # Its own filtering may join or replace the rows: what .qs holds is not the view's queryset.
        return super().filter_queryset(queryset).select_related("author")
