from django.db import transaction

from .models import Book


def reassign(ids):
    # Row locks: a join of the nullable editor would be on the outer side of the lock, which PostgreSQL refuses
    # (Ralph's data_center subscribers); a prefetch loads it in a query of its own.
    with transaction.atomic():
        for book in Book.objects.select_for_update().filter(pk__in=ids):
            print(book.editor.name)  # expect: n-plus-one
        # A non-null relation joins inside the lock.
        for book in Book.objects.select_for_update().filter(pk__in=ids):
            print(book.author.name)  # expect: n-plus-one
