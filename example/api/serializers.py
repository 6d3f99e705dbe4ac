from rest_framework import serializers

from catalog.models import Author, Book, Category, Review


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name"]


class BookSerializer(serializers.ModelSerializer):
    # Nested serializer of a FK: reads book.category for every row.
    category = CategorySerializer(read_only=True)
    # Dotted source: reads book.author for every row.
    author_name = serializers.CharField(source="author.name", read_only=True)

    class Meta:
        model = Book
        fields = ["id", "title", "slug", "published_on", "author", "author_name", "category"]
        extra_kwargs = {"author": {"write_only": True}}


class BookStatsSerializer(serializers.ModelSerializer):
    review_count = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "title", "review_count"]

    def get_review_count(self, obj):
        # one COUNT query per serialized book; annotate(Count("reviews")) instead
        return obj.reviews.count()


class AuthorSerializer(serializers.ModelSerializer):
    # fine: filled in by annotate(book_count=Count("book")) in the view
    book_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Author
        fields = ["id", "name", "book_count"]


class ReviewSerializer(serializers.ModelSerializer):
    book_title = serializers.CharField(source="book.title", read_only=True)

    class Meta:
        model = Review
        fields = ["id", "book_title", "rating", "body"]
