from .filters import BookFilter, JoiningBookFilter
from .models import Author, Book
from .reportbase import CachedReportView, ChosenTemplateReportView, ReportView, ShelfListView


class BookReport(ReportView):
    template_name = "shop/book_report.html"
    filterset_class = BookFilter

    def get_queryset(self):
        return Book.objects.filter(title__isnull=False)


class JoinedBookReport(ReportView):
    template_name = "shop/book_report_joined.html"
    filterset_class = BookFilter

    def get_queryset(self):
        return Book.objects.filter(title__isnull=False).select_related("author")


class JoiningFilterBookReport(ReportView):
    # The FilterSet's own filter_queryset may join or replace the rows: silent.
    template_name = "shop/book_report_unsure.html"
    filterset_class = JoiningBookFilter

    def get_queryset(self):
        return Book.objects.all()


class ChosenBookReport(ChosenTemplateReportView):
    template_name = "shop/book_report_unsure.html"

    def get_queryset(self):
        return Book.objects.all()


class CachedBookReport(CachedReportView):
    template_name = "shop/book_report_unsure.html"

    def get_queryset(self):
        return Book.objects.all()


class AuthorShelf(ShelfListView):
    queryset = Author.objects.all()
    template_name = "shop/author_rows.html"
