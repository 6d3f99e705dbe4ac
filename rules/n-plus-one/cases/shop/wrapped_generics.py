from .api import BookSerializer
from .models import Book
from .restbase import generics


class BookListCreate(generics.ListCreateAPIView):
    # The project's ListCreateAPIView is DRF's, under the same name: its list serializes every book's author.
    serializer_class = BookSerializer
    queryset = Book.objects.all()  # expect: n-plus-one
