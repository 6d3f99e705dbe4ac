"""Pagination decided in ways other than pagination_class / paginate_by."""
from django.core.paginator import Paginator
from django.views.generic import ListView
from rest_framework.generics import ListAPIView

from .models import Book, Review
from .serializers import BookSerializer


def get_pagination_items(request, rows):
    return Paginator(rows, 25).get_page(request.GET.get("page"))


class PagedInGetQueryset(ListView):
    # get_queryset() hands the template a page of 25 rows.
    model = Book

    def get_queryset(self):
        return get_pagination_items(self.request, super().get_queryset())


class SelectedReviewsExport(ListAPIView):  # expect: unpaginated-list
    # paginator = None shadows DRF's paginator property: the opt-out is deliberate, and a pagination_class would not
    # undo it. Reported, with no fix.
    queryset = Review.objects.all()
    serializer_class = BookSerializer
    paginator = None
