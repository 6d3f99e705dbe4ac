from django.views.generic import ListView
from django.views.generic.base import TemplateResponseMixin
from django.views.generic.list import BaseListView


class ReportView(TemplateResponseMixin, BaseListView):
    """A project base for list pages: the rows go through the view's FilterSet before they reach the template."""

    template_name = "shop/report.html"
    filterset_class = None
    paginate_by = 50

    def filter_queryset(self, queryset):
        filters = None
        if self.filterset_class:
            filters = self.filterset_class(self.request.GET, queryset=queryset)
            queryset = filters.qs
        return filters, queryset

    def get_context_data(self, *args, object_list=None, **kwargs):
        queryset = object_list if object_list is not None else self.object_list
        filters, queryset = self.filter_queryset(queryset)
        context = super().get_context_data(*args, object_list=queryset, **kwargs)
        context["filters"] = filters
        return context


class ChosenTemplateReportView(ReportView):
    def get_template_names(self):
        # Which template renders is decided at run time: silent.
        return [self.request.GET.get("template", "shop/report.html")]


class CachedReportView(ReportView):
    def get_context_data(self, **kwargs):
        # The rows come from somewhere else than the view's queryset: silent.
        return super().get_context_data(object_list=self.cached_rows(), **kwargs)


class ShelfListView(ListView):
    context_object_name = "rows"
    paginate_by = 20
