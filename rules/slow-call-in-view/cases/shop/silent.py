import requests
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpResponse

from .tasks import notify


def helper(subject):
    # not a view: no request parameter
    send_mail(subject, "", None, ["owner@example.com"])


def queued(request):
    transaction.on_commit(lambda: notify.delay("Hello", request.POST["body"]))
    return HttpResponse("queued")


def deferred(request):
    def run():
        requests.get("https://example.com", timeout=5)
    transaction.on_commit(run)
    return HttpResponse("ok")


def form_send(request, form):
    # a form's send() is not mail
    form.send()
    return HttpResponse("ok")


def local_requests(request):
    session = request.session
    session.get("cart")
    return HttpResponse("ok")


class Mailer:
    def send(self, request):
        send_mail("x", "y", None, ["z@example.com"])
