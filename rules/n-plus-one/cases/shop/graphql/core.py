import graphene
from graphene_django import DjangoObjectType


class CountableDjangoObjectType(DjangoObjectType):
    class Meta:
        abstract = True


class ModelObjectType(graphene.ObjectType):
    """A project base over graphene's ObjectType: subclasses name their model in Meta."""

    id = graphene.GlobalID(required=True)

    class Meta:
        abstract = True
