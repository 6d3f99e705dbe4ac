from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.http import require_POST

from catalog.models import Edition

from .models import Order, OrderLine, Setting


def cart_total(cart):
    # fine: one query for every edition and one for the rate, then plain Python
    editions = Edition.objects.only("price").in_bulk([item["edition_id"] for item in cart])
    vat = Decimal(Setting.objects.get(key="vat_rate").value)
    subtotal = sum(editions[item["edition_id"]].price * item["quantity"] for item in cart)
    return subtotal * (1 + vat)


@login_required
def cart(request):
    items = request.session.get("cart", [])
    total = cart_total(items) if items else Decimal(0)
    return render(request, "orders/cart.html", {"count": len(items), "total": total})


@login_required
@require_POST
def checkout(request):
    cart = request.session.get("cart", [])
    number = get_random_string(12).upper()
    order = Order.objects.create(customer=request.user, created_by=request.user, number=number)
    for item in cart:
        # query in loop: one SELECT per cart item; load them all with in_bulk()
        edition = Edition.objects.get(pk=item["edition_id"])
        # query in loop that does not depend on the item: hoist it above the loop
        vat = Setting.objects.get(key="vat_rate")
        price = edition.price * (1 + Decimal(vat.value))
        qty = item["quantity"]
        # query in loop: one INSERT per line; collect them and bulk_create()
        OrderLine.objects.create(order=order, edition=edition, quantity=qty, unit_price=price)
    order.total = cart_total(cart)
    order.save()
    request.session["cart"] = []
    return redirect(order)


@login_required
def dashboard(request):
    mine = Order.objects.filter(customer=request.user)
    # len() fetches every order only to count them; use .count()
    order_count = len(mine)
    pending = Order.objects.filter(customer=request.user, shipped_on__isnull=True)
    # truthiness fetches every pending order only to test for one; use .exists()
    if pending:
        messages.info(request, "Some of your orders have not shipped yet.")
    return render(request, "orders/dashboard.html", {"order_count": order_count})


@login_required
def order_history(request):
    orders = Order.objects.for_customer(request.user)
    summary = []
    # fine: `if orders:` runs the query once and the loop reuses the result cache
    if orders:
        for order in orders:
            summary.append((order.number, order.get_status_display(), order.total))
    return render(request, "orders/history.html", {"summary": summary})


@login_required
def order_detail(request, number):
    # fine: customer is a FK and number is unique, both are indexed
    order = get_object_or_404(Order.objects.filter(customer=request.user), number=number)
    lines = order.lines.select_related("edition__book")
    return render(request, "orders/detail.html", {"order": order, "lines": lines})


@login_required
def sales_report(request):
    # missing index: status is a plain CharField, so this filter scans the table
    paid = Order.objects.filter(status=Order.Status.PAID)
    totals = paid.aggregate(revenue=Sum("total"), orders=Count("id"))
    # fine: created_at has db_index=True (inherited from Tracked)
    since = timezone.now() - timedelta(days=30)
    totals["recent"] = Order.objects.filter(created_at__gte=since).count()
    return render(request, "orders/sales_report.html", totals)


@permission_required("orders.change_order")
@require_POST
def mark_shipped(request):
    today = timezone.localdate()
    for order in Order.objects.filter(pk__in=request.POST.getlist("order")):
        order.status = Order.Status.SHIPPED
        order.shipped_on = today
        # one UPDATE per row: use .update() on the queryset or bulk_update()
        order.save()
    return redirect("orders:dashboard")


@login_required
@require_POST
def cancel_orders(request):
    # fine: a single UPDATE for all selected rows
    selected = Order.objects.filter(customer=request.user, pk__in=request.POST.getlist("order"))
    selected.update(status=Order.Status.CANCELLED)
    return redirect("orders:dashboard")
