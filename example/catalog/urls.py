from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.category_index, name="categories"),
    path("books/", views.book_list, name="book_list"),
    path("books/<slug:slug>/isbns/", views.book_isbns, name="book_isbns"),
    path("tags/", views.TagCloudView.as_view(), name="tag_cloud"),
    path("tags/index/", views.tag_index, name="tag_index"),
    path("tags/<slug:name>/", views.tag_page, name="tag"),
    path("reports/books/", views.book_report, name="book_report"),
    path("reports/shelves/", views.author_shelves, name="shelves"),
    path("reports/publishers/", views.publisher_report, name="publisher_report"),
    path("reports/authors/", views.author_stats, name="author_stats"),
    path("reports/reviews/", views.latest_reviews, name="latest_reviews"),
    path("reports/editions/", views.edition_pages, name="edition_pages"),
    path("feed/recent/", views.recent_feed, name="recent_feed"),
    path("feed/books/", views.book_feed, name="book_feed"),
]
