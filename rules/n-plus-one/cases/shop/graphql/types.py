import graphene
import graphene_django_optimizer as gql_optimizer
from graphene_django.filter import DjangoFilterConnectionField

from ..models import Book, Invoice, Order, OrderLine
from .core import CountableDjangoObjectType, ModelObjectType
from .dataloaders import AuthorByIdLoader


class OrderLineType(CountableDjangoObjectType):
    class Meta:
        model = OrderLine

    @staticmethod
    def resolve_book_title(root: OrderLine, info):
        # Listed through OrderType.lines: one query per line.
        return root.book.title  # expect: n-plus-one

    @staticmethod
    def resolve_book_id(root: OrderLine, info):
        # The key column: no query.
        return root.book_id

    @staticmethod
    def resolve_book_pk(root: OrderLine, info):
        return root.book.pk


class OrderType(ModelObjectType):
    lines = graphene.List(graphene.NonNull(OrderLineType))
    customer = graphene.String()

    class Meta:
        model = Order

    @staticmethod
    def resolve_customer(root: Order, info):
        return root.customer  # expect: n-plus-one

    @staticmethod
    def resolve_lines(root: Order, info):
        return root.lines.all()  # expect: n-plus-one

    def resolve_first_line(self, info):
        # A plain method: graphene passes the root as self. first_line() lists self.lines.
        return self.first_line()  # expect: n-plus-one

    @staticmethod
    def resolve_is_paid(root: Order, info):
        # is_paid -> has_lines() -> `for line in self` -> __iter__ -> self.lines.all()
        return root.is_paid  # expect: n-plus-one

    @staticmethod
    @gql_optimizer.resolver_hints(select_related="customer")
    def resolve_customer_name(root: Order, info):
        return root.customer.name

    @staticmethod
    @gql_optimizer.resolver_hints(prefetch_related=LINES_PREFETCH)
    def resolve_line_count(root: Order, info):
        # Hints it cannot read: they may well prefetch lines.
        return len(root.lines.all())

    @staticmethod
    def resolve_customer_loaded(root: Order, info):
        return AuthorByIdLoader(info.context).load(root.customer_id)

    @staticmethod
    def resolve_line_total(root: Order, info):
        # A count runs its own query whatever is prefetched: queryset-in-loop's business.
        return root.lines.count()


class OrderWithFieldsType(CountableDjangoObjectType):
    # The field tells graphene-django-optimizer which relation its resolver reads.
    lines = gql_optimizer.field(graphene.List(OrderLineType), model_field="lines")

    class Meta:
        model = Order

    @staticmethod
    def resolve_lines(root: Order, info):
        return root.lines.all()

    @staticmethod
    def resolve_customer_email_key(root: Order, info):
        # root.customer.pk is read as the key (silent by design, though customer_id spares loading the row).
        return AuthorByIdLoader(info.context).load(root.customer.pk)

    @classmethod
    def resolve_customer_label(cls, root: Order, info):
        # A classmethod's first parameter is the class: not followed.
        return root.customer.name


class InvoiceType(CountableDjangoObjectType):
    class Meta:
        model = Invoice

    @staticmethod
    def resolve_order_number(root: Invoice, info):
        # The default manager joins order.
        return root.order.number


class BookType(CountableDjangoObjectType):
    """Only ever returned alone (Query.book): its resolvers run once per request."""

    class Meta:
        model = Book

    @staticmethod
    def resolve_author_name(root: Book, info):
        return root.author.name


class ReportType(CountableDjangoObjectType):
    class Meta:
        model = UnknownModel

    @staticmethod
    def resolve_owner(root, info):
        return root.owner.name


class OrderCountableConnection(graphene.relay.Connection):
    class Meta:
        node = OrderType


class Query(graphene.ObjectType):
    orders = graphene.relay.ConnectionField(OrderCountableConnection)
    invoices = graphene.NonNull(graphene.List(InvoiceType))
    reports = graphene.List(ReportType)
    orders_with_fields = DjangoFilterConnectionField(OrderWithFieldsType)
    book = graphene.Field(BookType, id=graphene.ID())
