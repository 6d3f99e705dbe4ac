from datetime import timedelta

from django.db import models
from django.utils import timezone
from rest_framework import viewsets


class Visit(models.Model):
    path = models.CharField(max_length=200)
    seen = models.DateTimeField(auto_now_add=True)
    closed = models.DateTimeField(null=True)  # expect: missing-index
    due = models.DateTimeField()  # expect: missing-index


def prune_visits(request):
    # Older than an age, on a column every row fills: most of the table, which no index narrows.
    cutoff = timezone.now() - timedelta(days=30)
    Visit.objects.filter(seen__lt=cutoff).delete()
    return Visit.objects.filter(seen__lte=timezone.now() - timedelta(hours=6)).count()


def stalled_visits(request):
    # The same age, through two names: `now`, then `window` (RapidPro's restart of stalled exports).
    now = timezone.now()
    window = now - timedelta(hours=1)
    return list(Visit.objects.filter(seen__lte=window).exclude(path="/"))


def mature_visits(request):
    # The clock read in a time zone, minus an age from settings (treeherder's BackfillReport).
    from datetime import UTC, datetime

    from django.conf import settings

    limit = datetime.now(UTC) - settings.TIME_TO_MATURE
    return list(Visit.objects.filter(seen__lte=limit)[:100])


def stale_visits(request):
    # The database's clock (Django's Now()) minus an age (frePPLe's task cleanup).
    from django.db.models.functions import Now

    return Visit.objects.filter(seen__lte=Now() - timedelta(days=7)).delete()


def expired_visits(request, max_age):
    # The clock in a named zone, in a name, minus an age held in a name (KPI's export cleanup).
    from datetime import datetime
    from zoneinfo import ZoneInfo

    this_moment = datetime.now(tz=ZoneInfo("UTC"))
    oldest = this_moment - max_age
    return Visit.objects.filter(seen__lt=oldest).delete()


def prune_closed(request):
    # A nullable column, set on some rows only: the cutoff selects few of them.
    return Visit.objects.filter(closed__lt=timezone.now() - timedelta(days=30)).delete()


def due_visits(request):
    # A deadline that passed: a poll for the few rows due.
    return list(Visit.objects.filter(due__lt=timezone.now()))


class Avatar(models.Model):
    # A 2,000-character key passes MySQL's InnoDB key limit: reported with hash-index advice and no db_index edit.
    url = models.CharField(max_length=2000)  # expect: missing-index
    name = models.CharField(max_length=255)  # expect: missing-index
    uploaded = models.DateTimeField(auto_now_add=True)


def avatar_by_url(request, url):
    return list(Avatar.objects.filter(url=url))


def avatar_by_name(request, name):
    return list(Avatar.objects.filter(name=name))


class Server(models.Model):
    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    address = models.CharField(max_length=40)
    alias = models.CharField(max_length=40)
    kind = models.CharField(max_length=10)  # expect: missing-index
    added = models.DateTimeField(auto_now_add=True)


def servers_at(request, ips):
    # One arm of an OR: an index on address alone cannot serve the alias arm.
    return list(Server.objects.filter(models.Q(address__in=ips) | models.Q(alias__in=ips)))


def servers_of_kind(request, kind):
    # Narrowed only when every arm is: the alias arm is not, so kind counts.
    a = list(Server.objects.filter(models.Q(owner=request.user) | models.Q(alias="x"), kind=kind))
    # Both arms use an index (the owner key, the primary key): kind does not count here.
    b = list(Server.objects.filter(models.Q(owner=request.user) | models.Q(pk__in=[1, 2]), kind=kind))
    return a + b


class Incident(models.Model):
    queue = models.CharField(max_length=20)  # expect: missing-index
    title = models.CharField(max_length=200)
    opened = models.DateTimeField(auto_now_add=True)


def open_incidents(request):
    # One column compared in every arm: the same as queue__in, which an index on queue serves.
    return list(Incident.objects.filter(models.Q(queue="new") | models.Q(queue__in=["open", "held"])))


def incidents_titled(request, a, b):
    # Another column in one arm: no index use.
    return list(Incident.objects.filter(models.Q(queue="new") | models.Q(title=b)))


class Customer(models.Model):
    name = models.CharField(max_length=100)
    stripe_id = models.CharField(max_length=100, null=True)  # expect: missing-index
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]


def customer_updated(request, customer_id):
    # first() sorts by Meta.ordering, but the rows are the few of one stripe_id: the index to add is on stripe_id,
    # not name (Read the Docs' Organization).
    return Customer.objects.filter(stripe_id=customer_id).first()


class Probe(models.Model):
    # Filtered only by a developer console that drives the project's own test helpers: not production's queries.
    code = models.CharField(max_length=20)
    seen = models.DateTimeField(auto_now_add=True)


class ExternalManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind="external")


class Release(models.Model):
    kind = models.CharField(max_length=20, db_index=True)
    state = models.CharField(max_length=20, null=True)
    label = models.CharField(max_length=20)  # expect: missing-index
    published = models.DateTimeField(auto_now_add=True)
    objects = models.Manager()
    external = ExternalManager()


def closed_releases(request):
    # The external manager's get_queryset() filters on the indexed kind: narrowed (Read the Docs' Version.external).
    closed = list(Release.external.filter(state="closed")[:200])
    # Through the plain manager, label is not narrowed.
    return closed + list(Release.objects.filter(label="x"))


class AccountType(models.TextChoices):
    USER = "User", "User"
    ORGANIZATION = "Organization", "Organization"


class Installation(models.Model):
    installation_id = models.BigIntegerField(unique=True)
    target_id = models.BigIntegerField()  # expect: missing-index
    target_type = models.CharField(max_length=255, choices=AccountType)
    kind = models.CharField(max_length=10, choices=[("a", "A"), ("b", "B")])  # expect: missing-index
    suspended = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)


def has_installation(request, target_id, target_type):
    # Two values of target_type against the near-unique target_id: only target_id is worth an index.
    return Installation.objects.filter(target_id=target_id, target_type=target_type).exists()


def suspended_installation(request, target_id):
    # A boolean's rare value beside target_id: target_id is the index to add (Ralph's Category.allow_deployment).
    return Installation.objects.filter(target_id=target_id, suspended=True).first()


def installations_of_kind(request, kind):
    # Alone in its query, a few-valued column still counts (a rare value may be what is asked for).
    return list(Installation.objects.filter(kind=kind))


class SiteQuerySet(models.QuerySet):
    def on_site(self, site):
        return self.filter(site=site)


class SiteManager(models.Manager):
    def get_queryset(self):
        return SiteQuerySet(self.model)

    def on_site(self, site):
        return self.get_queryset().on_site(site)


class SitePage(models.Model):
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE)
    namespace = models.CharField(max_length=200, null=True)
    created = models.DateTimeField(auto_now_add=True)
    objects = SiteManager()


def namespace_taken(request, site, namespace):
    # The manager's on_site() hands on to the QuerySet's, which filters on the site key: narrowed (django CMS).
    return SitePage.objects.on_site(site).filter(namespace=namespace).exists()


class Setting(models.Model):
    shop = models.ForeignKey(Customer, null=True, on_delete=models.CASCADE)
    key = models.CharField(max_length=100)
    value = models.TextField()
    changed = models.DateTimeField(auto_now=True)

    class Meta:
        unique_together = [("shop", "key")]


def global_setting(request, key):
    # shop=None is shop__isnull=True: the (shop, key) unique index serves it (Shuup's ConfigurationItem).
    return Setting.objects.get(shop=None, key=key)


class Sale(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT)
    currency = models.CharField(max_length=4)
    channel = models.CharField(max_length=10)  # expect: missing-index
    created = models.DateTimeField(auto_now_add=True)


def sales_in(currency):
    return Sale.objects.filter(currency=currency)


def sales_on(channel):
    return Sale.objects.filter(channel=channel)


def sales_dashboard(request):
    # Every caller of sales_in() narrows its query by the customer key: currency is not what to index (Shuup's
    # get_orders_by_currency). One caller of sales_on() does not narrow it.
    total = sales_in("EUR").filter(customer=request.user).count()
    refunds = sales_in("USD").exclude(pk=0).filter(customer_id=1).count()
    web = sales_on("web").filter(customer=request.user).count()
    return total + refunds + web + sales_on("shop").count()


class Feeding(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    start = models.DateTimeField()
    end = models.DateTimeField()  # expect: missing-index

    class Meta:
        ordering = ["-start"]


class FeedingViewSet(viewsets.ModelViewSet):
    # Its own ordering (DRF's OrderingFilter) sorts the pages, not Meta.ordering: a page of the table by end, not by
    # start (Baby Buddy's PumpingViewSet).
    queryset = Feeding.objects.all()
    ordering = "-end"


class Slot(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    position = models.IntegerField()
    starts = models.DateTimeField()  # expect: missing-index


class SlotViewSet(viewsets.ModelViewSet):
    # A placeholder for the router: get_queryset() gives the rows, one customer's (pretalx's RoomViewSet). Silent
    # for position.
    queryset = Slot.objects.none()
    ordering = ("position",)

    def get_queryset(self):
        return self.request.user.customer.slot_set.all()


class OwnSlotViewSet(viewsets.ModelViewSet):
    # get_queryset() builds its own chain and never reads this one. Silent for position.
    queryset = Slot.objects.all()
    ordering = ("position",)

    def get_queryset(self):
        return Slot.objects.filter(customer__owner=self.request.user)


class EverySlotViewSet(viewsets.ModelViewSet):
    # get_queryset() narrows super()'s rows by nothing indexed: a page of the table by starts.
    queryset = Slot.objects.all()
    ordering = ("-starts",)

    def get_queryset(self):
        return super().get_queryset().select_related("customer")
