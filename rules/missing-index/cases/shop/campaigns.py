from django.views.generic import DetailView, ListView, UpdateView
from rest_framework import generics, mixins, viewsets
from rest_framework.response import Response

from .models import Campaign


class CampaignDetail(DetailView):
    # get_object() finds the row by its primary key: the filter only checks it.
    queryset = Campaign.objects.filter(region="eu")


class CampaignEdit(UpdateView):
    def get_queryset(self):
        return Campaign.objects.filter(region="eu")


class CampaignViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Campaign.objects.filter(region="eu")


class CampaignList(ListView):
    # A list: every open campaign.
    paginate_by = 20
    queryset = Campaign.objects.filter(state="open")


class ShopUpdateView(UpdateView):
    """A base of the project's: its subclasses are views of one object too."""

    template_name = "shop/edit.html"


class ShopListView(ListView):
    paginate_by = 20


class CampaignStarts(ShopUpdateView):
    # Through the project's base: get_object() still finds the row by its primary key.
    queryset = Campaign.objects.filter(title="launch").order_by("starts")


class LaunchCampaigns(ShopListView):
    # Through the project's list base: a page of every matching row.
    queryset = Campaign.objects.filter(state="launch")


class CampaignResume(generics.GenericAPIView):
    # Its only handler reads one row, through get_object() (openwisp's DeviceActivateView).
    queryset = Campaign.objects.filter(paused="yes")

    def post(self, request, *args, **kwargs):
        campaign = self.get_object()
        return Response({"id": campaign.pk})


class CampaignMedia(generics.GenericAPIView):
    # Its handler lists the rows.
    queryset = Campaign.objects.filter(medium="tv")

    def get(self, request, *args, **kwargs):
        return Response([c.pk for c in self.get_queryset()])
