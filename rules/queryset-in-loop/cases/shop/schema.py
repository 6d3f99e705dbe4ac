import graphene
from graphene_django import DjangoObjectType

from .loaders import BookByIdLoader
from .models import Author, Review, Sale


class SaleType(DjangoObjectType):
    class Meta:
        model = Sale

    @staticmethod
    def resolve_first_review(root, info):
        # Runs once per sale of the list.
        return Review.objects.filter(book_id=root.book_id).first()  # expect: queryset-in-loop

    @staticmethod
    def resolve_author(root, info):
        book_pk = root.book_id
        return Author.objects.get(book__pk=book_pk)  # expect: queryset-in-loop

    @staticmethod
    def resolve_book_loaded(root, info):
        # Batched through a DataLoader: the fix.
        return BookByIdLoader(info.context).load(root.book_id)

    @staticmethod
    def resolve_any_review(root, info):
        # Does not depend on the row (the same answer for every sale).
        return Review.objects.exists()

    @staticmethod
    def resolve_batched(root, info):
        def batch(keys):
            return Author.objects.get(pk=keys[0])

        return batch([root.pk])


class ReviewType(DjangoObjectType):
    """Only ever returned alone."""

    class Meta:
        model = Review

    @staticmethod
    def resolve_sales(root, info):
        return Sale.objects.filter(book_id=root.book_id).count()


class Query(graphene.ObjectType):
    sales = graphene.List(SaleType)
    review = graphene.Field(ReviewType)
