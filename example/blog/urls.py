from django.urls import path

from . import views

app_name = "blog"

urlpatterns = [
    path("", views.PostListView.as_view(), name="list"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("<slug:slug>/", views.post_detail, name="detail"),
]
