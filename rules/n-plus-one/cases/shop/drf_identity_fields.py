"""A declared field named like a relation reads what its class reads, and prefetched rows carry their parent."""
from rest_framework import serializers, viewsets

from .models import Order, OrderLine


class InvoicesLinkField(serializers.HyperlinkedIdentityField):
    """A link to the order's invoices: an identity field serializes the order itself (source "*"), by its pk."""

    def get_url(self, obj, view_name, request, format):
        return super().get_url(obj, view_name, request, format)


class OrderLineSerializer(serializers.ModelSerializer):
    # line.order is the order the lines were prefetched from: Django caches it on each line, no query.
    order_number = serializers.CharField(source="order.number")

    class Meta:
        model = OrderLine
        fields = ("quantity", "order_number")


class LinkedOrderSerializer(serializers.ModelSerializer):
    invoices = InvoicesLinkField(view_name="order-invoices")
    lines = OrderLineSerializer(many=True)

    class Meta:
        model = Order
        fields = ("number", "invoices", "lines")


class LinkedOrderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LinkedOrderSerializer
    queryset = Order.objects.all()  # expect: n-plus-one
