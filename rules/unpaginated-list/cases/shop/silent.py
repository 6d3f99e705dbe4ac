from django.views.generic import DetailView, ListView
from rest_framework import generics, viewsets
from rest_framework.pagination import LimitOffsetPagination

from .models import Book
from .serializers import BookSerializer
from third_party.views import PaginatedMixin


class Paged(ListView):
    model = Book
    paginate_by = 20


class Top(ListView):
    queryset = Book.objects.order_by("-stock")[:10]


class Detail(DetailView):
    model = Book


class Limited(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookSerializer
    pagination_class = LimitOffsetPagination


class Create(generics.CreateAPIView):
    serializer_class = BookSerializer


class Retrieve(viewsets.GenericViewSet):
    queryset = Book.objects.all()
    serializer_class = BookSerializer


class BaseList(generics.ListAPIView):
    pagination_class = LimitOffsetPagination


class ThirdParty(PaginatedMixin, generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookSerializer


class OwnList(viewsets.ReadOnlyModelViewSet):
    queryset = Book.objects.all()
    serializer_class = BookSerializer

    def list(self, request):
        return super().list(request)
