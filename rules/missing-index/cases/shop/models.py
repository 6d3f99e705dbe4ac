from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django_extensions.db.fields import AutoSlugField
from django_handleref.models import HandleRefModel


class Customer(models.Model):
    email = models.EmailField(unique=True)
    country = models.CharField(max_length=2)  # expect: missing-index
    nickname = models.CharField(max_length=50)
    joined = models.DateTimeField(auto_now_add=True)


class Stamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)  # expect: missing-index

    class Meta:
        abstract = True


class Order(Stamped):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    status = models.CharField(max_length=20)  # expect: missing-index
    reference = models.CharField(max_length=40)
    slug = models.SlugField()
    handle = AutoSlugField(populate_from="reference")
    note = models.TextField(blank=True)
    total = models.DecimalField(max_digits=10, decimal_places=2, db_index=True)
    code = models.CharField(max_length=10)
    region = models.CharField(max_length=10)
    placed_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["code", "region"])]
        constraints = [models.UniqueConstraint(fields=["reference", "customer"], name="uniq_ref")]


class Category(models.Model):
    name = models.CharField(max_length=100)  # expect: missing-index
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]


class Job(models.Model):
    STATES = [("waiting", "Waiting"), ("running", "Running"), ("done", "Done")]

    # A TextField with choices is an enumeration: as worth an index as a CharField.
    state = models.TextField(choices=STATES)  # expect: missing-index
    # A free TextField is a big column: filtering on it is not the index's to fix.
    log = models.TextField()
    # Only filtered together with conditions held in a variable, which may be the indexed ones.
    started = models.DateTimeField(null=True)


class Label(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    labels = models.ManyToManyField(Label, related_name="shipments")
    carrier = models.CharField(max_length=20)
    weight = models.IntegerField()
    position = models.IntegerField()
    tracked = models.BooleanField(default=False)
    zone = models.CharField(max_length=10)  # expect: missing-index


class Article(models.Model):
    published = models.DateTimeField()  # expect: missing-index
    title = models.CharField(max_length=200)
    rank = models.IntegerField()


class Exchange(models.Model):
    """Ordered by date, with a composite index whose leading columns every query filters."""

    source = models.CharField(max_length=20)
    target_id = models.IntegerField()
    date = models.DateTimeField()
    checked = models.DateTimeField()

    class Meta:
        ordering = ["-date"]
        indexes = [models.Index(fields=["source", "target_id", "date"])]


class Device(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Reading(models.Model):
    """A log pruned by age per device and read newest first within a device: (device, taken) is its index."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE)
    taken = models.DateTimeField()  # expect: missing-index
    value = models.FloatField()


class Event(models.Model):
    """The same log, with the composite index: silent."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["device", "-at"])]


class Alert(models.Model):
    """Read as a window within a device but never pruned: whether a device has many alerts is unknown."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE)
    raised = models.DateTimeField()


class Worker(models.Model):
    """Filtered against a bound read from the row itself: an index on last_seen cannot serve it."""

    last_seen = models.DateTimeField()
    ttl = models.IntegerField()


class Page(models.Model):
    # Polled for the rare value: most rows are not dirty.
    search_dirty = models.BooleanField(default=False)  # expect: missing-index
    # Compared with its default, the value most rows hold: an index does not serve it.
    is_live = models.BooleanField(default=True)
    # No default: which value is rare is not known.
    featured = models.BooleanField()
    updated = models.DateTimeField(auto_now=True)


class AttachmentRelationField(GenericRelation):
    """A project field class extending GenericRelation: a relation with no column of its own."""


class Folder(models.Model):
    attachments = AttachmentRelationField("Attachment")


class Attachment(models.Model):
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField(db_index=True)


class Venue(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Room(models.Model):
    """Always read within one venue: ordered by position among that venue's few rooms."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="rooms")
    position = models.IntegerField()

    class Meta:
        ordering = ["position"]


class Badge(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]


class Tag(models.Model):
    label = models.CharField(max_length=50)  # expect: missing-index
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label"]


class Stamp(models.Model):
    data = models.JSONField(default=dict)

    class Meta:
        abstract = True
        indexes = []


class Ticket(Stamp):
    """Its Meta.indexes extends the base's list: the literal part is read, code is indexed."""

    code = models.CharField(max_length=20)
    queue = models.CharField(max_length=20)  # expect: missing-index
    opened = models.DateTimeField()

    class Meta(Stamp.Meta):
        indexes = Stamp.Meta.indexes + [
            models.Index(fields=["code"], name="ticket_code"),
        ]


class Unit(models.Model):
    """A lookup table: no foreign key, no date or time column. Its rows are typed in, and it stays small: silent."""

    name = models.CharField(max_length=20)
    position = models.IntegerField()


class Notice(models.Model):
    """A partial index narrows to the rows with the status a task filters on: status is served."""

    status = models.CharField(max_length=1, default="N")
    sent = models.DateTimeField(null=True)
    owner = models.ForeignKey(Customer, on_delete=models.CASCADE)
    kind = models.CharField(max_length=10)
    topic = models.CharField(max_length=50)  # expect: missing-index

    class Meta:
        indexes = [models.Index(fields=["sent"], condition=models.Q(status="P"))]


class UidField(models.CharField):
    """A project field class that always builds a unique column."""

    def __init__(self, prefix, **kwargs):
        super().__init__(max_length=len(prefix) + 22, unique=True, null=kwargs.get("_null", False))


class PlainCodeField(models.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)


class RefField(models.CharField):
    """Unique unless the model says otherwise: setdefault gives way to the call's own unique."""

    def __init__(self, **kwargs):
        kwargs.setdefault("unique", True)
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)


class Transfer(models.Model):
    uid = UidField("tr")
    sent = models.DateTimeField(auto_now_add=True)
    code = PlainCodeField()  # expect: missing-index
    ref = RefField()
    legacy_ref = RefField(unique=False)  # expect: missing-index


class Visit(models.Model):
    """The partial index holds the rows with archived=False: a filter on archived=True is not served by it."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    day = models.DateField()  # expect: missing-index
    archived = models.BooleanField(default=False)  # expect: missing-index

    class Meta:
        indexes = [models.Index(fields=["customer"], condition=models.Q(archived=False))]


class Listing(HandleRefModel):
    """status comes from a package's abstract base; the composite index leads with it."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    opened = models.DateTimeField(auto_now_add=True)
    allow_updates = models.BooleanField(default=False)
    note = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["status", "allow_updates"], name="listing_status")]


class EntryQuerySet(models.QuerySet):
    def of_owner(self, owner):
        return self.filter(owner=owner)

    def visible(self):
        return self.filter(hidden=False)

    def shown(self):
        # A Q object is read like a keyword: nothing indexed narrows this one.
        return self.filter(models.Q(hidden=False))

    def narrowed(self, **conditions):
        # Conditions the index cannot read: taken as narrowing.
        return self.filter(**conditions)


class Entry(models.Model):
    """A method of the model's QuerySet filters too: of_owner() narrows by the owner key, visible() by nothing indexed."""

    owner = models.ForeignKey(Customer, on_delete=models.CASCADE)
    hidden = models.BooleanField(default=False)
    posted = models.DateTimeField()  # expect: missing-index
    rank = models.IntegerField()
    score = models.IntegerField()  # expect: missing-index
    weight = models.IntegerField()

    objects = EntryQuerySet.as_manager()


class Bulletin(models.Model):
    title = models.CharField(max_length=100)
    posted = models.DateTimeField()
    pinned_at = models.DateTimeField(null=True)  # expect: missing-index
    edited = models.DateTimeField(null=True)  # expect: missing-index


class Campaign(models.Model):
    title = models.CharField(max_length=100)
    starts = models.DateTimeField()
    state = models.CharField(max_length=20)  # expect: missing-index
    region = models.CharField(max_length=20)
    paused = models.CharField(max_length=20)
    medium = models.CharField(max_length=20)  # expect: missing-index


class Voucher(models.Model):
    code = models.CharField(max_length=40, unique=True)
    batch = models.IntegerField()
    owner_ref = models.IntegerField()  # expect: missing-index
    issued = models.DateTimeField()
