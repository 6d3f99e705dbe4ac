from django.contrib.auth.models import Group
from django.views.generic import DetailView, ListView
from rest_framework import generics, viewsets
from rest_framework.pagination import LimitOffsetPagination

from .models import Book, Profile, Review, Unit
from .serializers import BookSerializer, ReviewSerializer
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


class CursorPaged(ListView):
    """Pages by itself: every return of get_queryset() is a slice (one row more tells whether a next page exists)."""

    model = Book
    paginate_by = None
    PAGE_SIZE = 50

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Book.objects.none()
        after = self.request.GET.get("after")
        qs = Book.objects.all()
        if after:
            return qs.filter(id__gt=int(after)).order_by("id")[: self.PAGE_SIZE + 1]
        return qs.order_by("id")[: self.PAGE_SIZE + 1]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    # A lookup table (no foreign key, no date or time column): every unit fits in one response.
    queryset = Unit.objects.all()


class GroupViewSet(viewsets.ReadOnlyModelViewSet):
    # Django's own groups, a lookup table too (Tandoor's GroupViewSet).
    queryset = Group.objects.all()


class MyProfileViewSet(viewsets.ModelViewSet):
    # Filtered on a one-to-one to the user: a list of at most one row.
    queryset = Profile.objects.all()

    def get_queryset(self):
        return self.queryset.filter(user=self.request.user)


class BookHome(ListView):
    """Its template shows other things: the rows of object_list never reach the page, paging would only count them."""

    model = Book
    template_name = "shop/book_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["featured"] = Book.objects.first()
        context["just_missed"] = Book.objects.order_by("-id")[:2]
        return context


class BookFeed(ListView):
    """Answers a response of its own: the list template is never rendered."""

    model = Book

    def render_to_response(self, context, **response_kwargs):
        from django.http import JsonResponse

        return JsonResponse({"titles": [b.title for b in Book.objects.all()[:20]]})



class LatestBooksAPI(generics.ListAPIView):
    # A slice bound to a local name before the return: at most 21 rows.
    serializer_class = BookSerializer

    def get_queryset(self):
        books = (
            Book.objects.order_by("-id")[:21]
        )
        return books


class MyReviewList(generics.ListAPIView):
    # The requesting user's own rows: what one person's activity makes, shown whole.
    serializer_class = ReviewSerializer

    def get_queryset(self):
        return Review.objects.filter(reviewer=self.request.user).order_by("-id")


class MyReviewsByName(generics.ListAPIView):
    # The same, through a name (LEGO's NotificationSettingsViewSet).
    serializer_class = ReviewSerializer

    def get_queryset(self):
        if self.request is None:
            return Review.objects.none()
        user = self.request.user
        return Review.objects.filter(reviewer=user)


class MyReviewsOrdered(ListView):
    # The requester's rows in a local name, ordered on return (OpenCVE's TagsListView).
    def get_queryset(self):
        query = Review.objects.filter(reviewer=self.request.user).all()
        return query.order_by("-id")


class MyReviewPage(ListView):
    def get_queryset(self):
        return self.request.user.reviews.all()


class MyReviews(ListView):
    # The requester's own rows, through the profile a middleware attaches (Shuup's request.customer).
    model = Review

    def get_queryset(self):
        return Review.objects.filter(reviewer=self.request.customer)
