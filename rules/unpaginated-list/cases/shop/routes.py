from django.contrib.auth.models import User
from django.http import FileResponse, HttpResponseRedirect
from django.views.generic import ListView
from rest_framework import generics, mixins, viewsets

from .models import Book
from .serializers import BookSerializer


class BookExport(ListView):
    # dispatch() answers with a file and never hands on to get(): nothing is listed on a page.
    model = Book

    def dispatch(self, request, *args, **kwargs):
        return FileResponse(open("/tmp/books.csv", "rb"))


class GatedBooks(ListView):  # expect: unpaginated-list
    # dispatch() checks, then hands on: the list renders.
    model = Book

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect("/login/")
        return super().dispatch(request, *args, **kwargs)


class ClearViewSet(mixins.ListModelMixin, viewsets.ViewSet):
    # A plain ViewSet has no get_queryset(): the mixin only makes the router route the collection URL for delete().
    def delete(self, request):
        return None


class BookViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # expect: unpaginated-list
    queryset = Book.objects.all()
    serializer_class = BookSerializer


class CurrentUser(generics.ListAPIView):
    # One row, by the implicit primary key of auth.User.
    serializer_class = BookSerializer

    def get_queryset(self):
        return User.objects.filter(id=self.request.user.id)


class BookCount(ListView):
    # Renders shop/book_count.html (template_name_suffix), which shows only a count: nothing is listed on a page.
    model = Book
    template_name_suffix = "_count"

    def get_context_data(self, **kwargs):
        return {"total": 3}
