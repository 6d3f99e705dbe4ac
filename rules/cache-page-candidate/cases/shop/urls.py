from django.urls import path
from django.views.decorators.cache import cache_page

from . import views_cached_in_urls

urlpatterns = [
    path("home/", cache_page(60 * 5)(views_cached_in_urls.home)),
    path("home2/", cache_page(60 * 5)(views_cached_in_urls.HomeView.as_view())),
]
