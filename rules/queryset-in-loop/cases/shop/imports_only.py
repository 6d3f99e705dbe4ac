# Only create(): no class, no filter() or get(). The import says which Tag is meant (shop/types.py has another).
from .models import Tag


def create_each(names):
    for name in names:
        Tag.objects.create(name=name)  # expect: queryset-in-loop
