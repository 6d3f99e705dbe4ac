"""An older API's serializers, with the same class names as shop.serializers'."""
from rest_framework import serializers

from ..models import Author


class AuthorSerializer(serializers.ModelSerializer):
    # Built for one author only (legacy/views.py); the views that list authors use shop.serializers' class.
    books_in_stock = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ("id", "books_in_stock")

    def get_books_in_stock(self, obj):
        return obj.book_set.filter(stock__gt=0).count()


class AuthorSummary(serializers.ModelSerializer):
    # Listed by legacy/views.py: the same name as shop.serializers' class, and this one is the list's.
    titles = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ("id", "titles")

    def get_titles(self, obj):
        return list(obj.book_set.values_list("title", flat=True))  # expect: serializer-method-query
