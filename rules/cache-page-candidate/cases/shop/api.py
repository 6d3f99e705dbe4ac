from rest_framework.decorators import api_view, renderer_classes
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Book


class BookCountAPI(APIView):  # expect: cache-page-candidate
    renderer_classes = [JSONRenderer]

    def get(self, request):
        return Response({"count": Book.objects.count()})


class PrivateBookCountAPI(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"count": Book.objects.count()})


class BookListAPI(ListAPIView):  # expect: cache-page-candidate
    renderer_classes = (JSONRenderer,)
    queryset = Book.objects.order_by("title")
    serializer_class = None


class MyBookListAPI(ListAPIView):
    permission_classes = [IsAuthenticated]
    queryset = Book.objects.all()


@api_view(["GET"])
@renderer_classes([JSONRenderer])
def api_book_count(request):  # expect: cache-page-candidate
    return Response({"count": Book.objects.count()})


@api_view(["GET", "POST"])
def api_books(request):
    return Response({"count": Book.objects.count()})


# DRF's default renderers include the browsable API: an HTML page with the user's name and a CSRF token.
class BrowsableBookCountAPI(APIView):
    def get(self, request):
        return Response({"count": Book.objects.count()})


@api_view(["GET"])
def browsable_book_count(request):
    return Response({"count": Book.objects.count()})
