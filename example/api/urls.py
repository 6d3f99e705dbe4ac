from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("books", views.BookViewSet)
router.register("authors", views.AuthorViewSet)
router.register("reviews", views.ReviewViewSet)

urlpatterns = [
    path("books-published/", views.PublishedBookList.as_view(), name="books-published"),
    path("book-stats/", views.BookStatsList.as_view(), name="book-stats"),
    path("", include(router.urls)),
]
