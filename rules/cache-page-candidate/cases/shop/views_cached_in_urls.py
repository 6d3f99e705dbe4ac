from django.shortcuts import render
from django.views.generic import TemplateView


def home(request):
    # Already wrapped with cache_page() in urls.py.
    return render(request, "shop/about.html")


class HomeView(TemplateView):
    # Also wrapped in urls.py.
    template_name = "shop/about.html"
