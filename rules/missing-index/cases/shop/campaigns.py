from django.views.generic import DetailView, ListView, UpdateView
from rest_framework import mixins, viewsets

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
