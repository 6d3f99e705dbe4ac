import httpx
import requests
import urllib.request
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.http import HttpResponse, JsonResponse
from django.views import View
from openpyxl import Workbook
from reportlab.pdfgen import canvas
from rest_framework import serializers, viewsets
from weasyprint import HTML
from xhtml2pdf import pisa

from .models import Book
from .tasks import notify


def contact(request):
    send_mail("Hello", request.POST["body"], "shop@example.com", ["owner@example.com"])  # expect: slow-call-in-view
    mail.mail_admins("New contact", request.POST["body"])  # expect: slow-call-in-view
    return HttpResponse("ok")


def welcome(request):
    msg = EmailMultiAlternatives("Welcome", "text", to=[request.user.email])
    msg.attach_alternative("<b>hi</b>", "text/html")
    msg.send()  # expect: slow-call-in-view
    return HttpResponse("ok")


def rates(request):
    # The view answers with the remote answer: no task can take these calls. With a timeout, nothing to say;
    # without one, the hint asks for it.
    r = requests.get("https://api.example.com/rates", timeout=5)
    body = urllib.request.urlopen("https://example.com").read()  # expect: slow-call-in-view
    data = requests.get("https://api.example.com/more").json()  # expect: slow-call-in-view
    return JsonResponse({"rates": r.json(), "size": len(body), "more": data})


def ping_partner(request):
    # Only a failure reaches the view: the call can move to a task.
    resp = requests.post("https://partner.example.com/ping", json={"user": request.user.pk}, timeout=5)  # expect: slow-call-in-view
    resp.raise_for_status()
    return HttpResponse("ok")


def handshake(request, opts):
    token = httpx.post("https://auth.example.com/token", data=request.POST).json()["token"]
    user = requests.get("https://auth.example.com/me", headers={"token": token}, **opts).json()
    return JsonResponse(user)


def invoice(request, pk):
    pdf = HTML(string="<h1>Invoice</h1>").write_pdf()  # expect: slow-call-in-view
    return HttpResponse(pdf, content_type="application/pdf")


def export(request):
    wb = Workbook()
    wb.active.append(["title"])
    response = HttpResponse(content_type="application/vnd.ms-excel")
    wb.save(response)  # expect: slow-call-in-view
    return response


class ReportView(View):
    def get(self, request):
        response = HttpResponse(content_type="application/pdf")
        p = canvas.Canvas(response)  # expect: slow-call-in-view
        p.drawString(100, 100, "Report")
        p.save()
        return response

    def post(self, request):
        pisa.CreatePDF("<p>x</p>", dest=HttpResponse())  # expect: slow-call-in-view
        return HttpResponse("ok")


class BookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "title"]

    def create(self, validated_data):
        book = super().create(validated_data)
        requests.post("https://hooks.example.com/new-book", json={"id": book.pk}, timeout=5)  # expect: slow-call-in-view
        return book


class BookViewSet(viewsets.ModelViewSet):
    queryset = Book.objects.all()
    serializer_class = BookSerializer

    def perform_destroy(self, instance):
        send_mail("Deleted", instance.title, None, ["owner@example.com"])  # expect: slow-call-in-view
        instance.delete()
