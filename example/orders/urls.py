from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cart/", views.cart, name="cart"),
    path("checkout/", views.checkout, name="checkout"),
    path("history/", views.order_history, name="history"),
    path("report/", views.sales_report, name="sales_report"),
    path("ship/", views.mark_shipped, name="mark_shipped"),
    path("cancel/", views.cancel_orders, name="cancel"),
    path("<str:number>/", views.order_detail, name="detail"),
]
