from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control, cache_page, never_cache
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_cookie
from django.views.generic import ListView, TemplateView, View

from .models import Book


@login_required
def my_books(request):
    return render(request, "shop/catalog.html", {"books": Book.objects.all()})


@permission_required("shop.view_book")
def stock(request):
    return render(request, "shop/catalog.html", {"books": Book.objects.all()})


def search(request):
    if request.method == "POST":
        return redirect("shop:results")
    return render(request, "shop/catalog.html", {"books": Book.objects.all()})


def greeting(request):
    return HttpResponse(f"Hello {request.user}")


def recently_viewed(request):
    ids = request.session.get("viewed", [])
    return render(request, "shop/catalog.html", {"books": Book.objects.filter(pk__in=ids)})


def flash(request):
    messages.info(request, "Welcome back")
    return render(request, "shop/about.html")


def touch(request, pk):
    Book.objects.filter(pk=pk).update(published=None)
    return HttpResponse("ok")


@cache_page(60 * 15)
def cached_catalog(request):
    return render(request, "shop/catalog.html", {"books": Book.objects.all()})


@never_cache
def live_catalog(request):
    return render(request, "shop/catalog.html", {"books": Book.objects.all()})


@cache_control(private=True)
def private_catalog(request):
    return render(request, "shop/catalog.html", {"books": Book.objects.all()})


@vary_on_cookie
def cookie_catalog(request):
    return render(request, "shop/catalog.html", {"books": Book.objects.all()})


@require_POST
def subscribe(request):
    return render(request, "shop/about.html")


def permissions_page(request):
    return render(request, "shop/perms.html")


def account(request):
    return render(request, "shop/account.html")


def new_this_week(request):
    # The template itself is public, but the base it extends greets the user.
    return render(request, "shop/personal_base_child.html")


def search_page(request):
    # The included form renders {% csrf_token %}: the token is per user.
    return render(request, "shop/search.html")


def flashes(request):
    return render(request, "shop/flash.html")


def breadcrumbs(request):
    return render(request, "shop/breadcrumbs.html")


def unknown_template(request, name):
    return render(request, f"shop/{name}.html")


def redirect_only(request):
    return redirect("shop:catalog")


def helper(value):
    return value * 2


class MyBooksView(LoginRequiredMixin, ListView):
    model = Book


class ContactView(TemplateView):
    template_name = "shop/about.html"

    def post(self, request, *args, **kwargs):
        return redirect("shop:about")


@method_decorator(cache_page(60 * 15), name="dispatch")
class CachedAboutView(TemplateView):
    template_name = "shop/about.html"


class AccountView(TemplateView):
    template_name = "shop/account.html"


class UserBooksView(ListView):
    model = Book

    def get_queryset(self):
        return Book.objects.filter(owner=self.request.user)


class GreetingView(TemplateView):
    template_name = "shop/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["name"] = self.request.user.get_username()
        return context


def visible_books(request):
    return Book.objects.filter(owner=request.user)


def my_catalog(request):
    # The helper reads the request's user: the page differs per visitor.
    return render(request, "shop/catalog.html", {"books": visible_books(request), "total": Book.objects.count()})


def catalog_csv(request):
    # A download, not a page.
    response = HttpResponse("\n".join(b.title for b in Book.objects.all()), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="books.csv"'
    return response


def ping(request):
    # An uptime check: it must reach the database on every request, or a cached "pong" hides an outage.
    return HttpResponse(f"Pong: {Book.objects.count()} books")


class HealthCheckView(View):
    def get(self, request):
        return JsonResponse({"books": Book.objects.count()})
