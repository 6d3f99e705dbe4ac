from django.conf import settings
from django.db import models


class Tracked(models.Model):
    """Abstract base: every concrete subclass gets created_by and created_at."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)s_created",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
