from django.views.generic import ListView

from .mixins import CatalogMixin, OwnReviewsMixin, TitlesMixin, UnitMixin
from .models import Review


class OwnReviewList(OwnReviewsMixin, ListView):
    """The mixin's get_queryset() lists the requesting user's own reviews: silent."""


class OwnReviewListWithBooks(OwnReviewsMixin, ListView):
    # Joins more onto the mixin's rows, which stay the user's own: silent.
    def get_queryset(self):
        return super().get_queryset().prefetch_related("book__tags")


class UnitList(UnitMixin, ListView):
    # The mixin's model is a lookup table: silent.
    def get_queryset(self):
        return super().get_queryset().order_by("name")


class CatalogList(CatalogMixin, ListView):  # expect: unpaginated-list
    """The mixin names the model and the template: every book, on a page whose template is read."""


class TitleList(TitlesMixin, ListView):
    """The mixin's template never shows the list (it loops over `shelf`, which no one sets): silent."""


class ShadowedOwnReviews(ListView, OwnReviewsMixin):  # expect: unpaginated-list
    """The mixin comes after ListView: Django's own get_queryset() is found first, and lists every review."""

    model = Review
