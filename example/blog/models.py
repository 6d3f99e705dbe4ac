from django.conf import settings
from django.db import models
from django.urls import reverse

from catalog.models import Tracked


class Post(Tracked):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    body = models.TextField()
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    tags = models.ManyToManyField("catalog.Tag", blank=True, related_name="posts")

    class Meta:
        ordering = ["-published_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("blog:detail", args=[self.slug])


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(max_length=80)
    email = models.EmailField()
    body = models.TextField()
    # Missing index: Meta.ordering sorts the moderation queue's page of all comments by this plain column.
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
