"""Serializer fields that DRF never reads per row: GenericRelations, and viewsets whose list() draws no serializer."""
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response


class Remark(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    text = models.TextField()


class Maker(models.Model):
    name = models.CharField(max_length=100)


class Gadget(models.Model):
    name = models.CharField(max_length=100)
    maker = models.ForeignKey(Maker, on_delete=models.CASCADE)
    # serialize=False: a ModelSerializer's "__all__" leaves it out.
    remarks = GenericRelation(Remark)


class GadgetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Gadget
        fields = "__all__"


class GadgetDepthSerializer(serializers.ModelSerializer):
    class Meta:
        model = Gadget
        fields = "__all__"
        depth = 1


class GadgetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    # maker is a primary key (no query); remarks is no serializer field.
    queryset = Gadget.objects.all()
    serializer_class = GadgetSerializer


class GadgetNestedViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Gadget.objects.all()  # expect: n-plus-one
    serializer_class = GadgetDepthSerializer


class HTMLListMixin(mixins.ListModelMixin):
    """Draws the list as an HTML table: serializer_class only describes the CSV import form."""

    def list(self, request, *args, **kwargs):
        return Response({"table": self.get_queryset()[:50]}, template_name="gadgets.html")


class GadgetUIViewSet(HTMLListMixin, viewsets.GenericViewSet):
    queryset = Gadget.objects.all()
    serializer_class = GadgetDepthSerializer


class PagedListMixin(mixins.ListModelMixin):
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class GadgetPagedViewSet(PagedListMixin, viewsets.GenericViewSet):
    queryset = Gadget.objects.all()  # expect: n-plus-one
    serializer_class = GadgetDepthSerializer


class LoggedListMixin(HTMLListMixin):
    def list(self, request, *args, **kwargs):
        # Goes on to HTMLListMixin.list(), which serializes nothing.
        return super().list(request, *args, **kwargs)


class GadgetLoggedViewSet(LoggedListMixin, viewsets.GenericViewSet):
    queryset = Gadget.objects.all()
    serializer_class = GadgetDepthSerializer


class GadgetWriteSerializer(serializers.ModelSerializer):
    # Write-only fields: the response never reads maker.
    maker = serializers.HiddenField(default=None)
    maker_name = serializers.CharField(source="maker.name", write_only=True)

    class Meta:
        model = Gadget
        fields = ["name", "maker", "maker_name"]


class GadgetWriteViewSet(viewsets.ModelViewSet):
    queryset = Gadget.objects.all()
    serializer_class = GadgetWriteSerializer


class MakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Maker
        fields = ["name"]


class ComputedMakerField(serializers.SerializerMethodField, MakerSerializer):
    """A method field with the nested serializer's schema: DRF calls get_<name>."""


class GadgetComputedSerializer(serializers.ModelSerializer):
    maker = ComputedMakerField()

    class Meta:
        model = Gadget
        fields = ["name", "maker"]

    def get_maker(self, obj):
        return {"name": obj.name.title()}


class GadgetComputedViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Gadget.objects.all()
    serializer_class = GadgetComputedSerializer


class GadgetReadSerializer(serializers.ModelSerializer):
    maker_name = serializers.CharField(source="maker.name", read_only=True)

    class Meta:
        model = Gadget
        fields = ["name", "maker_name"]


class GadgetReadViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Gadget.objects.all()  # expect: n-plus-one
    serializer_class = GadgetReadSerializer
