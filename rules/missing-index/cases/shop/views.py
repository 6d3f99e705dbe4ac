from django.db.models import Count, Q

from .models import Category, Customer, Job, Order


def paid_orders(request):
    return list(Order.objects.filter(status="paid").order_by("-created")[:50])


def by_country(request, country):
    # through the customer relation: counts for Customer.country
    return list(Order.objects.filter(customer__country=country))


def indexed_lookups(request, pk, email, ref, code):
    a = Order.objects.filter(customer_id=pk)  # FK column: indexed
    b = Customer.objects.get(email=email)  # unique
    c = Order.objects.filter(reference=ref)  # leads a UniqueConstraint
    d = Order.objects.filter(code=code, total__gte=10)  # leads Meta.indexes; db_index
    e = Order.objects.filter(slug="x")  # SlugField is indexed by default
    f = Order.objects.filter(handle="x")  # so is a SlugField subclass (django-extensions' AutoSlugField)
    return a, b, c, d, e, f


def not_index_lookups(request, text):
    # icontains and isnull are not helped by a plain index
    return list(Customer.objects.filter(Q(nickname__icontains=text) | Q(nickname__isnull=True)))


def common_nicknames(request):
    # Ordered by the aggregate's default alias, not by the column.
    return list(Customer.objects.values("nickname").annotate(Count("nickname")).order_by("-nickname__count")[:10])


def first_categories(request):
    # A page of the whole table in Meta.ordering's order: an index on name reads just the page.
    return list(Category.objects.all()[:50])


def recent_orders(customer, since):
    # Narrowed by the customer foreign key's index, explicitly and through the related manager: not placed_on's to fix.
    a = list(Order.objects.filter(customer=customer, placed_on__gte=since))
    b = list(customer.order_set.filter(placed_on__gte=since).order_by("-placed_on"))
    return a, b


def pending_jobs():
    return list(Job.objects.filter(state__in=["waiting", "running"]))


def jobs_with_log(text):
    return list(Job.objects.filter(log=text))


def narrowed_across_the_chain(order, label, since, opts):
    from django.db.models import Prefetch

    from .models import Label, Shipment

    # Each query is narrowed by an indexed column in another call of its chain, by a many-to-many compared to a
    # row, by conditions it cannot read, or by the relation a related manager or Prefetch() adds: silent.
    a = list(Shipment.objects.filter(order=order).order_by("-weight"))
    b = list(Shipment.objects.filter(order=order).filter(carrier="ups"))
    c = list(Order.objects.filter(customer=order.customer, shipments__position__gt=0))
    d = list(Shipment.objects.filter(labels=label, tracked=True))
    e = list(Shipment.objects.filter(**opts).filter(carrier="dhl"))
    f = list(label.shipments.order_by("position"))
    g = list(Order.objects.prefetch_related(Prefetch("shipments", queryset=Shipment.objects.order_by("position"))))
    h = list(Label.objects.filter(shipments__order_id__in=[1, 2], shipments__carrier="x"))
    return a, b, c, d, e, f, g, h


def unnarrowed_zone(zone):
    from .models import Shipment

    # A lookup the index of another column cannot serve (icontains) does not narrow.
    return list(Shipment.objects.filter(zone=zone, carrier__icontains="x"))


from django.views.generic import ListView  # noqa: E402

from .models import Article, Tag  # noqa: E402


class ArticleList(ListView):
    # Every page orders the whole table by published.
    model = Article
    ordering = "-published"
    paginate_by = 20


class OwnArticles(ListView):
    # get_queryset() may narrow the rows first: silent for title.
    ordering = ["title"]
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.filter(title__startswith=self.request.user.username)


class RankedArticles(ListView):
    # A queryset that filters may be narrowed: silent for rank.
    queryset = Article.objects.filter(published__isnull=False)
    ordering = "rank"
    paginate_by = 20


class EveryArticleByRank(ListView):
    # No pages: the view reads and sorts the whole table, which an index would not speed up. Silent for rank.
    model = Article
    ordering = "rank"


def checked_on(day):
    # `__date` casts the column: a plain index on checked would not serve it.
    from .models import Exchange

    return list(Exchange.objects.filter(checked__date=day, source="x"))


def device_log(device, since, cutoff):
    from .models import Alert, Event

    # Reading: pruned by age within one device and read newest first in a window.
    device.reading_set.filter(taken__lt=cutoff).delete()
    readings = list(device.reading_set.filter(taken__gte=since).order_by("-taken")[:100])
    # Event has the composite index (device, -at): silent.
    Event.objects.filter(device=device, at__lt=cutoff).delete()
    events = list(Event.objects.filter(device=device, at__gte=since).order_by("-at")[:100])
    # Alert is never pruned: silent.
    alerts = list(Alert.objects.filter(device_id=device.pk, raised__gte=since).order_by("-raised"))
    return readings, events, alerts


def forget_lost_workers():
    from django.db.models import F
    from django.db.models.functions import Now

    from .models import Worker

    Worker.objects.filter(last_seen__lt=Now() - F("ttl")).delete()


def stale_running_jobs(ref_time, host):
    from .models import Job

    # A Q held in a variable: its conditions cannot be read (here, the indexed ones that narrow the query).
    base_q = Q(state="running") & Q(log=host)
    return list(Job.objects.filter(base_q & Q(started__lte=ref_time)))


def pages_to_reindex():
    from .models import Page

    dirty = list(Page.objects.filter(search_dirty=True)[:100])
    live = list(Page.objects.filter(is_live=True))
    featured = list(Page.objects.filter(featured=True))
    return dirty, live, featured


def folders_with(attachment):
    from .models import Folder

    return list(Folder.objects.filter(attachments=attachment))


def venue_rooms(venue):
    from .models import Badge, Room

    # Room's Meta.ordering sorts rooms within one venue (the venue's index finds them first): silent for position.
    rooms = list(venue.rooms.all()[:10])
    first_room = Room.objects.filter(venue=venue).first()
    # Every badge is read: the database sorts the whole table either way, an index would not be used. Silent.
    badges = [b.name for b in Badge.objects.all()]
    return rooms, first_room, badges


class TagList(ListView):
    # A page of every tag, in Meta.ordering's order (no `ordering` of its own).
    model = Tag
    paginate_by = 50


def tickets(code, queue):
    from .models import Ticket

    return list(Ticket.objects.filter(code=code)), list(Ticket.objects.filter(queue=queue))


def unit_named(name):
    from .models import Unit

    return Unit.objects.filter(name=name).first(), list(Unit.objects.order_by("position")[:10])


from .models import Notice  # noqa: E402


def pending_notices():
    return list(Notice.objects.filter(status="P").order_by("sent"))


def notices_by_topic(owner, kind, topic):
    # Python's `and` between two Q objects is the second one: only `topic` reaches the query.
    return Notice.objects.filter(Q(kind=kind) and Q(topic=topic)).first()


from .models import Transfer  # noqa: E402


def transfer(uid, code, ref):
    return Transfer.objects.get(uid=uid), Transfer.objects.get(code=code), Transfer.objects.get(ref=ref), Transfer.objects.get(legacy_ref=ref)


from .models import Visit  # noqa: E402


def archived_visits(start, end):
    return list(Visit.objects.filter(day__range=(start, end), archived=True))


from .models import Listing  # noqa: E402


def updatable_listings():
    # Served by the composite index on (status, allow_updates).
    return Listing.objects.filter(status="ok", allow_updates=True).count()


from .models import Entry  # noqa: E402


def top_entries(customer):
    return list(Entry.objects.of_owner(customer).order_by("rank")[:10])


def recent_entries(since):
    return list(Entry.objects.visible().filter(posted__gte=since))


def high_scores(n):
    return list(Entry.objects.shown().filter(score__gte=n))


def heavy(n, **conditions):
    return list(Entry.objects.narrowed(**conditions).filter(weight__gte=n))

