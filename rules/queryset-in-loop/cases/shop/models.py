from django.db import models
from vendor.managers import VendorManager
from mptt.models import MPTTModel, TreeForeignKey


class Author(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)


class Tag(models.Model):
    name = models.SlugField(unique=True)


class Book(models.Model):
    title = models.CharField(max_length=300)
    isbn = models.CharField(max_length=13, unique=True)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag, related_name="books")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    created = models.DateTimeField(auto_now_add=True)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()


class Sale(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="sales")
    quantity = models.PositiveIntegerField()


class NoteQuerySet(models.QuerySet):
    def newest(self):
        return self.order_by("-created")


class Note(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="notes")
    created = models.DateTimeField(auto_now_add=True)

    objects = NoteQuerySet.as_manager()


class Shelf(models.TextChoices):
    FRONT = "F", "Front"
    BACK = "B", "Back"


class Coupon(models.Model):
    """Its manager comes from a package the analysis cannot read."""

    code = models.CharField(max_length=20)
    objects = VendorManager()


class Boundary(MPTTModel):
    """django-mptt's TreeManager, the manager an MPTTModel gets when it declares none, orders every queryset."""

    osm_id = models.CharField(max_length=15, unique=True)
    name = models.CharField(max_length=128)
    parent = TreeForeignKey("self", null=True, on_delete=models.PROTECT, related_name="children")
