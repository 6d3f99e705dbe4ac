from .models import Book, Review, Unit


class OwnReviewsMixin:
    """The requesting user's own reviews, for the views that list and edit them."""

    model = Review

    def get_queryset(self):
        qs = super().get_queryset().select_related("book")
        return qs.filter(reviewer_id=self.request.user.id)


class UnitMixin:
    model = Unit


class CatalogMixin:
    """Every book: the views built on it list a whole table."""

    model = Book
    template_name = "shop/shelf.html"
    context_object_name = "shelf"


class TitlesMixin:
    model = Book
    template_name = "shop/shelf.html"
