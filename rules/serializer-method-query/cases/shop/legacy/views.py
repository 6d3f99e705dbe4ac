from rest_framework.response import Response

from ..models import Author
from .serializers import AuthorSerializer, AuthorSummary


def author_card(request, pk):
    author = Author.objects.get(pk=pk)
    return Response(AuthorSerializer(author).data)


def author_summaries(request):
    return Response(AuthorSummary(Author.objects.all(), many=True).data)


def first_author_card(request):
    return Response(AuthorSerializer(Author.objects.order_by("id").first()).data)


def author_card_by_key(request, pk):
    return Response(AuthorSerializer(Author.objects.get(pk=pk), context={"request": request}).data)
