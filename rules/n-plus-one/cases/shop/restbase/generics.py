"""The project's own generic views, named like DRF's and built on them (as Mayan EDMS's rest_api.generics)."""
from rest_framework import generics as rest_framework_generics


class ListCreateAPIView(rest_framework_generics.ListCreateAPIView):
    """Adds nothing that changes what the list serializes."""
