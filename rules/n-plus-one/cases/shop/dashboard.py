from django.template.loader import render_to_string
from django.shortcuts import render

from .models import Book


def dashboard(request):
    # dashboard.html extends base.html: the page renders base.html's navigation with its own content block.
    return render(request, "shop/dashboard.html", {"books": Book.objects.all()})


def welcome_mail(user):
    # Rendered without a request: the context processors do not run, so there is no user in the context.
    return render_to_string("shop/welcome_mail.txt", {"books": Book.objects.all()})
