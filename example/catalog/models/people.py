from django.db import models

from .base import Tracked


class Publisher(Tracked):
    name = models.CharField(max_length=200, unique=True)
    country = models.CharField(max_length=2)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Author(Tracked):
    name = models.CharField(max_length=200, db_index=True)
    email = models.EmailField(unique=True)
    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT, related_name="authors")
    # FK to "self": who mentored this author.
    mentor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="mentees"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AuthorProfile(models.Model):
    author = models.OneToOneField(Author, on_delete=models.CASCADE, related_name="profile")
    bio = models.TextField(blank=True)
    website = models.URLField(blank=True)
