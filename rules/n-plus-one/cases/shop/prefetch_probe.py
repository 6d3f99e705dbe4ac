"""A SerializerMethodField that uses a to_attr list when the queryset provides it, and Prefetch objects held in names."""
from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from .models import Author, Book, Review, Tag


class BookRatingsSerializer(serializers.ModelSerializer):
    ratings = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ("id", "ratings")

    def get_ratings(self, book):
        # The prefetched list when the view provides it; the reverse manager otherwise.
        reviews = getattr(book, "top_reviews", None)
        if reviews is None:
            reviews = book.reviews.all()
        return [r.rating for r in reviews]


class TopRatedBooks(viewsets.ReadOnlyModelViewSet):
    # Provides top_reviews: get_ratings() never reaches book.reviews.
    serializer_class = BookRatingsSerializer

    def get_queryset(self):
        top = Prefetch("reviews", queryset=Review.objects.filter(rating=5), to_attr="top_reviews")
        return Book.objects.prefetch_related("tags", top)


class AllBooks(viewsets.ReadOnlyModelViewSet):
    # No top_reviews: get_ratings() falls back to book.reviews, one query per book.
    serializer_class = BookRatingsSerializer
    queryset = Book.objects.prefetch_related(Prefetch("tags", queryset=Tag.objects.all(), to_attr="tag_list"))  # expect: n-plus-one


def reviewers_of_prefetched(request):
    # The Prefetch held in a name, next to a Prefetch written in the call: both are read.
    with_books = Prefetch("book_set", queryset=Book.objects.only("id", "title", "author"))
    authors = Author.objects.prefetch_related(with_books, Prefetch("edited_books", to_attr="edits"))
    for author in authors:
        print([b.title for b in author.book_set.all()], len(author.edits))


def unread_lookup(request, lookups):
    # An argument that cannot be read may prefetch anything: silent.
    extra = lookups[0]
    for author in Author.objects.prefetch_related(Prefetch("edited_books", to_attr="edits"), extra):
        print([b.title for b in author.book_set.all()])


def named_prefetch_other_relation(request):
    edits = Prefetch("edited_books", to_attr="edits")
    for author in Author.objects.prefetch_related(edits, Prefetch("profile")):
        print([b.title for b in author.book_set.all()])  # expect: n-plus-one
