/**
 * The workspace model index (engine/facts.ts + engine/models.ts, built through Project): fields and their kinds and
 * flags, relation targets, reverse accessors, Meta, inheritance, managers, auto-prefetching models, and models
 * spread over several files and packages.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Model, ModelField, ModelIndex } from "../server/src/engine/models";
import { projectFor, writeTree } from "./helpers";

async function indexOf(files: Record<string, string>): Promise<ModelIndex> {
  const project = await projectFor(writeTree(files));
  return project.index;
}

function model(index: ModelIndex, key: string): Model {
  const m = index.modelByRef(key);
  assert.ok(m, `model ${key} is indexed (have: ${index.models.filter((x) => !x.builtin).map((x) => x.key).join(", ")})`);
  return m;
}

function fieldOf(m: Model, name: string): ModelField {
  const f = m.fields.get(name);
  assert.ok(f, `${m.key}.${name} exists (have: ${[...m.fields.keys()].join(", ")})`);
  return f;
}

const HEADER = "from django.db import models\n\n\n";

describe("model index: fields", () => {
  const files = {
    "shop/__init__.py": "",
    "shop/models.py": `${HEADER}from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType


class Tag(models.Model):
    label = models.SlugField(unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")


class Author(models.Model):
    name = models.CharField(max_length=100, db_index=True)
    bio = models.TextField(blank=True)


class Book(models.Model):
    isbn = models.CharField(max_length=13, primary_key=True)
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=200, null=True, blank=True)
    code = models.CharField(max_length=20, unique=True)
    data = models.JSONField(default=dict)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, db_index=False, related_name="edited")
    cover = models.OneToOneField("shop.Cover", on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)
    labels = GenericRelation(Tag)
    not_a_field = "just a string"

    def __str__(self):
        return self.title


class Cover(models.Model):
    image = models.CharField(max_length=100)
`,
  };

  it("records concrete fields with their kind and flags", async () => {
    const index = await indexOf(files);
    const book = model(index, "shop.Book");
    assert.equal(fieldOf(book, "title").kind, "concrete");
    assert.equal(fieldOf(book, "title").null, false);
    assert.equal(fieldOf(book, "subtitle").null, true);
    assert.equal(fieldOf(book, "code").unique, true);
    assert.equal(fieldOf(book, "title").unique, false);
    assert.equal(fieldOf(book, "title").dbIndex, false);
    assert.equal(fieldOf(model(index, "shop.Author"), "name").dbIndex, true);
    assert.equal(fieldOf(book, "isbn").primaryKey, true);
    assert.equal(fieldOf(book, "title").primaryKey, false);
    assert.equal(fieldOf(book, "data").big, true);
    assert.equal(fieldOf(model(index, "shop.Author"), "bio").big, true);
    assert.equal(fieldOf(book, "title").big, false);
    assert.equal(book.fields.has("not_a_field"), false, "a plain class attribute is not a field");
    assert.equal(book.fields.has("__str__"), false);
  });

  it("records relation kinds and targets", async () => {
    const index = await indexOf(files);
    const book = model(index, "shop.Book");
    const kinds = Object.fromEntries(["author", "editor", "cover", "tags", "labels"].map((n) => [n, fieldOf(book, n).kind]));
    assert.deepEqual(kinds, { author: "fk", editor: "fk", cover: "o2o", tags: "m2m", labels: "generic-relation" });
    assert.equal(fieldOf(book, "author").target?.key, "shop.Author");
    assert.equal(fieldOf(book, "cover").target?.key, "shop.Cover");
    assert.equal(fieldOf(book, "tags").target?.key, "shop.Tag");
    assert.equal(fieldOf(model(index, "shop.Tag"), "target").kind, "gfk");
    assert.equal(fieldOf(model(index, "shop.Tag"), "content_type").target?.key, "contenttypes.ContentType");
  });

  it("reads the relation fields of packages (django-sortedm2m, django-annoying, django-mptt) as relations", async () => {
    const index = await indexOf({
      "shop/__init__.py": "",
      "shop/models.py": `${HEADER}from annoying.fields import AutoOneToOneField
from mptt.fields import TreeOneToOneField
from sortedm2m.fields import SortedManyToManyField


class Owner(models.Model):
    name = models.CharField(max_length=100)


class Program(models.Model):
    owners = SortedManyToManyField(Owner)
    profile = AutoOneToOneField(Owner, on_delete=models.CASCADE, related_name="program")
    node = TreeOneToOneField(Owner, on_delete=models.CASCADE, related_name="node_of")
`,
    });
    const program = model(index, "shop.Program");
    assert.deepEqual(["owners", "profile", "node"].map((n) => fieldOf(program, n).kind), ["m2m", "o2o", "o2o"]);
    assert.equal(fieldOf(program, "owners").target?.key, "shop.Owner");
  });

  it("indexes foreign keys and one-to-one fields, which are unique", async () => {
    const index = await indexOf(files);
    const book = model(index, "shop.Book");
    assert.equal(fieldOf(book, "author").dbIndex, true, "a ForeignKey gets an index");
    assert.equal(fieldOf(book, "cover").unique, true, "a OneToOneField is unique");
    assert.equal(fieldOf(book, "author").unique, false);
  });

  it("honours db_index=False on a ForeignKey", async () => {
    const index = await indexOf(files);
    assert.equal(fieldOf(model(index, "shop.Book"), "editor").dbIndex, false);
  });

  it("has no automatic id when another field is the primary key; the primary key is unique", async () => {
    const index = await indexOf(files);
    const book = model(index, "shop.Book");
    assert.equal(book.fields.has("id"), false, "Django adds no id field when a field has primary_key=True");
    assert.equal(fieldOf(book, "isbn").unique, true, "primary_key=True implies unique=True");
  });

  it("adds an automatic id primary key otherwise", async () => {
    const index = await indexOf(files);
    const id = fieldOf(model(index, "shop.Author"), "id");
    assert.equal(id.kind, "concrete");
    assert.equal(id.primaryKey, true);
  });

  it("knows project field classes whose names do not say Field by their Django bases", async () => {
    const index = await indexOf({
      "shop/__init__.py": "",
      "shop/fields.py": `from django.db import models


class UnsavedForeignKey(models.ForeignKey):
    allow_unsaved_instance_assignment = True


class NullableChar(models.CharField):
    pass


class Helper:
    pass
`,
      "shop/models.py": `from django.db import models

from .fields import Helper, NullableChar, UnsavedForeignKey


class Shop(models.Model):
    name = models.CharField(max_length=10)


class Order(models.Model):
    shop = UnsavedForeignKey(Shop, on_delete=models.PROTECT)
    code = NullableChar(max_length=10)
    helper = Helper()
`,
    });
    const order = model(index, "shop.Order");
    assert.equal(fieldOf(order, "shop").kind, "fk");
    assert.equal(fieldOf(order, "shop").dbIndex, true);
    assert.equal(fieldOf(order, "shop").target?.key, "shop.Shop");
    assert.equal(fieldOf(order, "code").kind, "concrete");
    assert.equal(order.fields.has("helper"), false);
  });

  it("resolves the _id attname of a foreign key for lookups", async () => {
    const index = await indexOf(files);
    const book = model(index, "shop.Book");
    assert.equal(index.lookupSegment(book, "author_id"), fieldOf(book, "author"));
  });
});

describe("model index: relation targets", () => {
  it("resolves a class, an \"app.Model\" string, a bare \"Model\" string, \"self\" and to=", async () => {
    const index = await indexOf({
      "library/__init__.py": "",
      "library/models.py": `${HEADER}class Shelf(models.Model):
    name = models.CharField(max_length=10)


class Book(models.Model):
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)
    shelf2 = models.ForeignKey("library.Shelf", on_delete=models.CASCADE, related_name="+")
    shelf3 = models.ForeignKey("Shelf", on_delete=models.CASCADE, related_name="+")
    shelf4 = models.ForeignKey(to="library.Shelf", on_delete=models.CASCADE, related_name="+")
    sequel = models.OneToOneField("self", null=True, on_delete=models.SET_NULL, related_name="prequel")
    publisher = models.ForeignKey("press.Publisher", on_delete=models.CASCADE)
`,
      "press/__init__.py": "",
      "press/models.py": `${HEADER}class Publisher(models.Model):
    name = models.CharField(max_length=10)
`,
    });
    const book = model(index, "library.Book");
    const shelf = model(index, "library.Shelf");
    for (const f of ["shelf", "shelf2", "shelf3", "shelf4"]) assert.equal(fieldOf(book, f).target?.key, shelf.key, f);
    assert.equal(fieldOf(book, "sequel").target?.key, book.key);
    assert.equal(fieldOf(book, "publisher").target?.key, "press.Publisher");
  });

  it("resolves settings.AUTH_USER_MODEL to the custom user model named in settings", async () => {
    const index = await indexOf({
      "proj/__init__.py": "",
      "proj/settings.py": 'INSTALLED_APPS = ["accounts", "blog"]\nAUTH_USER_MODEL = "accounts.Member"\n',
      "accounts/__init__.py": "",
      "accounts/models.py": `from django.contrib.auth.models import AbstractUser
from django.db import models


class Member(AbstractUser):
    nickname = models.CharField(max_length=30)
`,
      "blog/__init__.py": "",
      "blog/models.py": `from django.conf import settings
from django.db import models


class Post(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    title = models.CharField(max_length=10)
`,
    });
    const member = model(index, "accounts.Member");
    assert.equal(fieldOf(model(index, "blog.Post"), "author").target?.key, member.key);
    assert.equal(fieldOf(member, "post_set").kind, "reverse-fk");
    // AbstractUser's username is unique, as Django declares it.
    assert.equal(fieldOf(member, "username").unique, true);
    assert.equal(fieldOf(member, "first_name").unique, false);
  });

  it("knows a custom user model by its django.contrib.auth bases alone, with the fields they give", async () => {
    const index = await indexOf({
      "proj/__init__.py": "",
      "proj/settings.py": 'AUTH_USER_MODEL = "people.Person"\n',
      "people/__init__.py": "",
      "people/models.py": `from django.contrib.auth.models import AbstractUser


class Person(AbstractUser):
    class Meta:
        db_table = "auth_user"

    def label(self):
        return self.username
`,
      "staff/__init__.py": "",
      "staff/models.py": `from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin


class Operator(PermissionsMixin, AbstractBaseUser):
    USERNAME_FIELD = "id"
`,
      "legacy/__init__.py": "",
      "legacy/models.py": `class AbstractUser:
    """A project class of the same name, not Django's."""


class Visitor(AbstractUser):
    pass
`,
      "blog/__init__.py": "",
      "blog/models.py": `from django.conf import settings
from django.db import models


class Post(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
`,
    });
    const person = model(index, "people.Person");
    assert.equal(fieldOf(model(index, "blog.Post"), "author").target?.key, "people.Person");
    assert.equal(fieldOf(person, "username").kind, "concrete");
    assert.equal(fieldOf(person, "groups").kind, "m2m");
    assert.equal(fieldOf(person, "groups").target?.key, "auth.Group");
    assert.equal(fieldOf(person, "groups").owner, person);
    assert.equal(fieldOf(person, "post_set").kind, "reverse-fk");
    assert.ok(person.complete);
    const operator = model(index, "staff.Operator");
    assert.deepEqual(["user_permissions", "last_login", "username"].map((f) => operator.fields.has(f)), [true, true, false]);
    assert.equal(index.modelByRef("legacy.Visitor"), undefined);
  });

  it("takes an app's label from its AppConfig", async () => {
    const index = await indexOf({
      "proj/__init__.py": "",
      "proj/settings.py": 'AUTH_USER_MODEL = "forum_users.User"\n',
      "forum/__init__.py": "",
      "forum/users/__init__.py": "",
      "forum/users/apps.py": `from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "forum.users"
    label = "forum_users"
`,
      "forum/users/models/__init__.py": "from .user import User\n",
      "forum/users/models/user.py": `from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    pass
`,
      "forum/threads/__init__.py": "",
      "forum/threads/models.py": `from django.conf import settings
from django.db import models


class Thread(models.Model):
    starter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    watcher = models.ForeignKey("forum_users.User", on_delete=models.CASCADE, related_name="+")
`,
    });
    const user = model(index, "forum_users.User");
    assert.equal(user.file.endsWith("user.py"), true);
    const thread = model(index, "threads.Thread");
    assert.equal(fieldOf(thread, "starter").target, user);
    assert.equal(fieldOf(thread, "watcher").target, user);
  });

  it("resolves settings.AUTH_USER_MODEL to auth.User without a setting", async () => {
    const index = await indexOf({
      "blog/__init__.py": "",
      "blog/models.py": `from django.conf import settings
from django.db import models


class Post(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
`,
    });
    const user = fieldOf(model(index, "blog.Post"), "author").target;
    assert.equal(user?.key, "auth.User");
    assert.equal(fieldOf(user!, "posts").kind, "reverse-fk");
  });
});

describe("model index: reverse accessors", () => {
  const files = {
    "zoo/__init__.py": "",
    "zoo/models.py": `${HEADER}class Keeper(models.Model):
    name = models.CharField(max_length=10)


class Animal(models.Model):
    keeper = models.ForeignKey(Keeper, on_delete=models.CASCADE)
    backup = models.ForeignKey(Keeper, on_delete=models.CASCADE, related_name="backup_animals")
    hidden = models.ForeignKey(Keeper, on_delete=models.CASCADE, related_name="+")
    hidden2 = models.ForeignKey(Keeper, on_delete=models.CASCADE, related_name="secret+")
    friends = models.ManyToManyField("self")
    feeders = models.ManyToManyField(Keeper, related_name="fed_animals")
    vets = models.ManyToManyField(Keeper)


class Passport(models.Model):
    animal = models.OneToOneField(Animal, on_delete=models.CASCADE)


class Chip(models.Model):
    animal = models.OneToOneField(Animal, on_delete=models.CASCADE, related_name="microchip")


class Stamped(models.Model):
    keeper = models.ForeignKey(Keeper, on_delete=models.CASCADE, related_name="%(app_label)s_%(class)s_stamps")

    class Meta:
        abstract = True


class Visit(Stamped):
    day = models.DateField()


class Feeding(Stamped):
    food = models.CharField(max_length=10)
`,
  };

  it("adds related_name, the default <model>_set and the one-to-one default <model>", async () => {
    const index = await indexOf(files);
    const keeper = model(index, "zoo.Keeper");
    const animal = model(index, "zoo.Animal");
    const f = fieldOf(keeper, "animal_set");
    assert.equal(f.kind, "reverse-fk");
    assert.equal(f.target?.key, animal.key);
    assert.equal(f.forward, fieldOf(animal, "keeper"));
    assert.equal(fieldOf(keeper, "backup_animals").kind, "reverse-fk");
    assert.equal(fieldOf(keeper, "fed_animals").kind, "reverse-m2m");
    assert.equal(fieldOf(keeper, "fed_animals").target?.key, animal.key);
    assert.equal(fieldOf(animal, "passport").kind, "reverse-o2o");
    assert.equal(fieldOf(animal, "passport").target?.key, "zoo.Passport");
    assert.equal(fieldOf(animal, "microchip").kind, "reverse-o2o");
    assert.equal(animal.fields.has("chip"), false, "related_name replaces the default");
  });

  it("gives one accessor per relation: related_name \"+\" (or ending in \"+\") means none", async () => {
    const index = await indexOf(files);
    const keeper = model(index, "zoo.Keeper");
    const reverse = [...keeper.fields.values()].filter((f) => f.kind.startsWith("reverse")).map((f) => f.name).sort();
    // keeper -> animal_set; backup -> backup_animals; feeders -> fed_animals; vets: a second default animal_set
    // clashes with keeper's in Django (E304), the index keeps the first. hidden/hidden2: none.
    assert.ok(!reverse.some((n) => n.includes("+") || n === "secret"), `no accessor for "+": ${reverse}`);
    assert.ok(reverse.includes("visit_stamps") === false, "the abstract template itself gets no accessor");
  });

  it("expands %(app_label)s and %(class)s in an abstract base's related_name per concrete model", async () => {
    const index = await indexOf(files);
    const keeper = model(index, "zoo.Keeper");
    assert.equal(fieldOf(keeper, "zoo_visit_stamps").target?.key, "zoo.Visit");
    assert.equal(fieldOf(keeper, "zoo_feeding_stamps").target?.key, "zoo.Feeding");
    assert.ok(![...keeper.fields.keys()].some((k) => k.includes("%(")), "no unexpanded template names");
    assert.ok(![...keeper.fields.keys()].some((k) => k.includes("stamped")), "the abstract model adds no accessor");
  });

  it("adds no reverse accessor for a symmetrical many-to-many to self", async () => {
    const index = await indexOf(files);
    const animal = model(index, "zoo.Animal");
    assert.equal(animal.fields.has("animal_set"), false);
    assert.equal(fieldOf(animal, "friends").target?.key, animal.key);
  });

  it("resolves related query names in lookups", async () => {
    const index = await indexOf(files);
    const keeper = model(index, "zoo.Keeper");
    // Keeper.objects.filter(animal__name=...) uses the default related query name, the model name.
    assert.equal(index.lookupSegment(keeper, "animal")?.target?.key, "zoo.Animal");
    assert.equal(index.lookupSegment(keeper, "backup_animals")?.kind, "reverse-fk");
  });
});

describe("model index: Meta", () => {
  it("reads abstract, ordering, indexes, unique_together and UniqueConstraint", async () => {
    const index = await indexOf({
      "shop/__init__.py": "",
      "shop/models.py": `${HEADER}class Base(models.Model):
    created = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["-created"]
        indexes = [models.Index(fields=["created"])]


class Order(Base):
    number = models.CharField(max_length=10)
    customer = models.CharField(max_length=10)
    shop = models.CharField(max_length=10)
    status = models.CharField(max_length=10)

    class Meta:
        ordering = ("number",)
        unique_together = [("shop", "number")]
        indexes = [models.Index(fields=["-status", "customer"], name="st")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "shop"], name="u1"),
            models.CheckConstraint(condition=models.Q(status__in=["a"]), name="c1"),
        ]


class Line(Base):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)

    class Meta(Base.Meta):
        unique_together = ("order", "id")


class Note(Base):
    text = models.TextField()


class Parent(models.Model):
    rank = models.IntegerField()

    class Meta:
        ordering = ["rank"]
        indexes = [models.Index(fields=["rank"])]


class Child(Parent):
    extra = models.IntegerField()

    class Meta:
        verbose_name = "child"


class Tagged(Base):
    tag = models.CharField(max_length=10)

    class Meta:
        verbose_name = "tagged"


class Labelled(ThirdPartyNamed, Base):
    """The third-party base comes first: its Meta (if any) is the one in effect."""
`,
    });
    const base = model(index, "shop.Base");
    assert.equal(base.abstract, true);
    const order = model(index, "shop.Order");
    assert.equal(order.abstract, false);
    assert.deepEqual(order.ordering, ["number"]);
    const lead = order.indexed.map((cols) => cols.join(","));
    assert.ok(lead.includes("shop,number"), `unique_together: ${lead}`);
    assert.ok(lead.includes("status,customer"), `indexes (leading "-" dropped): ${lead}`);
    assert.ok(lead.includes("customer,shop"), `UniqueConstraint: ${lead}`);
    assert.ok(!lead.some((l) => l.includes("status__in")), "CheckConstraint is not an index");
    // Django's ModelBase: a Meta of the model's own replaces the abstract base's unless it subclasses it.
    assert.ok(!lead.includes("created"), `its own Meta drops the abstract base's indexes: ${lead}`);
    const line = model(index, "shop.Line");
    assert.deepEqual(line.ordering, ["-created"], "ordering is inherited from the abstract base's Meta");
    const lineLead = line.indexed.map((c) => c.join(","));
    assert.ok(lineLead.includes("order,id"), "a flat unique_together tuple");
    assert.ok(lineLead.includes("created"), `class Meta(Base.Meta) keeps the base's indexes: ${lineLead}`);
    const note = model(index, "shop.Note");
    assert.deepEqual(note.ordering, ["-created"], "no Meta: the abstract base's");
    assert.ok(note.indexed.map((c) => c.join(",")).includes("created"));
    const tagged = model(index, "shop.Tagged");
    assert.deepEqual(tagged.ordering, [], "its own Meta sets no ordering: none");
    assert.deepEqual(tagged.indexed, []);
    const child = model(index, "shop.Child");
    assert.deepEqual(child.ordering, ["rank"], "a multi-table child keeps its parent's ordering");
    assert.deepEqual(child.indexed, [], "the parent's indexes are on the parent's table");
    assert.deepEqual(model(index, "shop.Labelled").ordering, [], "an unknown base first: no ordering assumed");
  });
});

describe("model index: inheritance", () => {
  const files = {
    "shop/__init__.py": "",
    "shop/models.py": `${HEADER}class Owner(models.Model):
    name = models.CharField(max_length=10)


class Owned(models.Model):
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="%(class)s_items")
    note = models.TextField()

    class Meta:
        abstract = True


class Timestamped(Owned):
    stamp = models.DateTimeField()

    class Meta(Owned.Meta):
        abstract = True


class Product(Timestamped):
    title = models.CharField(max_length=10)


class Place(models.Model):
    address = models.CharField(max_length=10)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="places")


class Restaurant(Place):
    serves_pizza = models.BooleanField()


class Pizzeria(Restaurant):
    oven = models.CharField(max_length=10)
`,
  };

  it("copies fields of abstract bases (through two levels) into the concrete model", async () => {
    const index = await indexOf(files);
    const product = model(index, "shop.Product");
    for (const n of ["owner", "note", "stamp", "title", "id"]) fieldOf(product, n);
    const owner = fieldOf(product, "owner");
    assert.equal(owner.kind, "fk");
    assert.equal(owner.owner, product, "the copied field belongs to the concrete model");
    assert.equal(owner.target?.key, "shop.Owner");
    assert.equal(fieldOf(model(index, "shop.Owner"), "product_items").target?.key, product.key);
    assert.equal(model(index, "shop.Owned").abstract, true);
    assert.equal(model(index, "shop.Timestamped").abstract, true);
    assert.equal(product.abstract, false, "abstract is not inherited");
  });

  it("links multi-table children with <parent>_ptr and makes the parent's fields accessible", async () => {
    const index = await indexOf(files);
    const place = model(index, "shop.Place");
    const restaurant = model(index, "shop.Restaurant");
    const pizzeria = model(index, "shop.Pizzeria");
    const ptr = fieldOf(restaurant, "place_ptr");
    assert.equal(ptr.kind, "o2o");
    assert.equal(ptr.target?.key, place.key);
    assert.equal(ptr.primaryKey, true);
    assert.equal(fieldOf(restaurant, "address").owner, place, "an inherited concrete field stays the parent's");
    assert.equal(fieldOf(restaurant, "owner").target?.key, "shop.Owner");
    assert.equal(fieldOf(pizzeria, "restaurant_ptr").target?.key, restaurant.key);
    fieldOf(pizzeria, "address");
    fieldOf(pizzeria, "serves_pizza");
    fieldOf(pizzeria, "oven");
    assert.equal(place.fields.has("serves_pizza"), false);
  });

  it("leads the accessor of a foreign key that multi-table children inherit to the parent, whichever is read first", async () => {
    // The child sits in a module read before the parent's.
    const index = await indexOf({ ...files, "shop/aa_cafe.py": `${HEADER}from .models import Place\n\n\nclass Cafe(Place):\n    seats = models.IntegerField()\n` });
    const places = fieldOf(model(index, "shop.Owner"), "places");
    assert.equal(places.kind, "reverse-fk");
    assert.equal(places.target?.key, "shop.Place");
  });

  it("gives the parent a reverse one-to-one accessor to each multi-table child", async () => {
    const index = await indexOf(files);
    const place = model(index, "shop.Place");
    const f = fieldOf(place, "restaurant");
    assert.equal(f.kind, "reverse-o2o");
    assert.equal(f.target?.key, "shop.Restaurant");
  });
});

describe("model index: managers", () => {
  const files = {
    "shop/__init__.py": "",
    "shop/managers.py": `from django.db import models


class BookQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def with_author(self):
        return self.select_related("author")


class JoinedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("author", "author__agent").prefetch_related("tags")


class SlimManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().only("title")


class OpaqueManager(models.Manager):
    def get_queryset(self):
        qs = super().get_queryset()
        if self.flag:
            qs = qs.filter(x=1)
        return qs


class CustomBase(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("author")

    def recent(self):
        return self.get_queryset().order_by("-id")


class FromQsManager(models.Manager.from_queryset(BookQuerySet)):
    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags")
`,
    "shop/models.py": `from django.db import models

from .managers import BookQuerySet, CustomBase, FromQsManager, JoinedManager, OpaqueManager, SlimManager


class Agent(models.Model):
    name = models.CharField(max_length=10)


class Author(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE)


class Tag(models.Model):
    name = models.CharField(max_length=10)


class Book(models.Model):
    title = models.CharField(max_length=10)
    published = models.BooleanField()
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)

    objects = BookQuerySet.as_manager()
    joined = JoinedManager()
    slim = SlimManager()
    opaque = OpaqueManager()
    plain = models.Manager()
    mixed = models.Manager.from_queryset(BookQuerySet)()
    custom = CustomBase.from_queryset(BookQuerySet)()
    subclassed = FromQsManager()


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)

    reviews = JoinedManager()
    objects = models.Manager()
`,
  };

  it("finds every manager and its kind", async () => {
    const index = await indexOf(files);
    const book = model(index, "shop.Book");
    assert.deepEqual([...book.managers.keys()].sort(), ["custom", "joined", "mixed", "objects", "opaque", "plain", "slim", "subclassed"]);
    assert.equal(book.defaultManager, book.managers.get("objects"), "the first declared manager is the default");
    const review = model(index, "shop.Review");
    assert.equal(review.defaultManager, review.managers.get("reviews"), "the first declared manager is the default, whatever its name");
  });

  it("reads QuerySet.as_manager() and from_queryset() methods", async () => {
    const index = await indexOf(files);
    const book = model(index, "shop.Book");
    for (const name of ["objects", "mixed", "custom", "subclassed"]) {
      const mgr = book.managers.get(name)!;
      assert.ok(mgr.methods.has("published"), `${name} has the queryset's published()`);
      assert.ok(mgr.methods.has("with_author"), `${name} has the queryset's with_author()`);
      assert.equal(mgr.opaque, false, `${name} is fully known`);
    }
    assert.ok(book.managers.get("custom")!.methods.has("recent"), "the manager class's own methods too");
    assert.equal(book.managers.get("plain")!.methods.size, 0);
    assert.deepEqual(book.managers.get("objects")!.shape, { select: [], selectAll: false, prefetch: [], only: false });
  });

  it("reads select_related / prefetch_related / only applied in get_queryset() into the manager's shape", async () => {
    const index = await indexOf(files);
    const book = model(index, "shop.Book");
    const joined = book.managers.get("joined")!.shape!;
    assert.deepEqual(joined.select.sort(), ["author", "author__agent"]);
    assert.deepEqual(joined.prefetch, ["tags"]);
    assert.equal(joined.only, false);
    assert.equal(book.managers.get("slim")!.shape!.only, true);
    assert.deepEqual(book.managers.get("custom")!.shape!.select, ["author"]);
    assert.deepEqual(book.managers.get("subclassed")!.shape!.prefetch, ["tags"]);
    assert.equal(book.managers.get("opaque")!.shape, null, "a get_queryset() that cannot be read has no shape");
  });

  it("keeps managers defined inline in the model file", async () => {
    const index = await indexOf({
      "blog/__init__.py": "",
      "blog/models.py": `${HEADER}class Author(models.Model):
    name = models.CharField(max_length=10)


class PostManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("author")


class Post(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    objects = PostManager()
`,
    });
    const post = model(index, "blog.Post");
    assert.deepEqual(post.defaultManager.shape?.select, ["author"]);
    assert.equal(post.defaultManager.name, "objects");
  });

  it("inherits managers from abstract bases", async () => {
    const index = await indexOf({
      "blog/__init__.py": "",
      "blog/models.py": `${HEADER}class Author(models.Model):
    name = models.CharField(max_length=10)


class JoinManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("author")


class Authored(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    objects = JoinManager()

    class Meta:
        abstract = True


class Post(Authored):
    title = models.CharField(max_length=10)
`,
    });
    const post = model(index, "blog.Post");
    assert.deepEqual(post.managers.get("objects")?.shape?.select, ["author"]);
    assert.deepEqual(post.defaultManager.shape?.select, ["author"]);
  });
});

describe("model index: querysets that batch by themselves", () => {
  it("marks auto_prefetch.Model models and their subclasses", async () => {
    const index = await indexOf({
      "shop/__init__.py": "",
      "shop/models.py": `import auto_prefetch
from django.db import models


class Author(auto_prefetch.Model):
    name = models.CharField(max_length=10)


class Book(auto_prefetch.Model):
    author = auto_prefetch.ForeignKey(Author, on_delete=models.CASCADE)

    class Meta(auto_prefetch.Model.Meta):
        ordering = ["id"]


class Base(auto_prefetch.Model):
    class Meta(auto_prefetch.Model.Meta):
        abstract = True


class Chapter(Base):
    book = auto_prefetch.ForeignKey(Book, on_delete=models.CASCADE)


class Plain(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
`,
    });
    assert.equal(model(index, "shop.Author").autoPrefetch, true);
    assert.equal(model(index, "shop.Book").autoPrefetch, true);
    assert.equal(fieldOf(model(index, "shop.Book"), "author").kind, "fk", "auto_prefetch.ForeignKey is a ForeignKey");
    assert.equal(fieldOf(model(index, "shop.Book"), "author").target?.key, "shop.Author");
    assert.deepEqual(model(index, "shop.Book").ordering, ["id"]);
    assert.equal(model(index, "shop.Chapter").autoPrefetch, true, "inherited from an abstract auto_prefetch base");
    assert.equal(model(index, "shop.Base").abstract, true);
    assert.equal(model(index, "shop.Plain").autoPrefetch, false);
  });

  it("marks a model whose default manager's get_queryset() uses fetch_mode(FETCH_PEERS)", async () => {
    const index = await indexOf({
      "shop/__init__.py": "",
      "shop/models.py": `${HEADER}class Author(models.Model):
    name = models.CharField(max_length=10)


class PeersManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().fetch_mode(models.FETCH_PEERS)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    objects = PeersManager()
`,
    });
    assert.equal(model(index, "shop.Book").autoPrefetch, true);
  });
});

describe("model index: several files", () => {
  it("resolves models across a models/ package with relative and absolute imports", async () => {
    const index = await indexOf({
      "manage.py": "import django\n",
      "catalog/__init__.py": "",
      "catalog/models/__init__.py": "from .books import Book  # noqa\nfrom .people import Author  # noqa\n",
      "catalog/models/base.py": `${HEADER}class Stamped(models.Model):
    created = models.DateTimeField()

    class Meta:
        abstract = True
`,
      "catalog/models/people.py": `from django.db import models

from .base import Stamped


class Author(Stamped):
    name = models.CharField(max_length=10)
`,
      "catalog/models/books.py": `from django.db import models

from catalog.models.people import Author
from . import base


class Book(base.Stamped):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
`,
      "orders/__init__.py": "",
      "orders/models.py": `from django.db import models

from catalog.models import Book


class Author(models.Model):
    """Same name as catalog.Author, different app."""
    alias = models.CharField(max_length=10)


class Order(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="orders")
    clerk = models.ForeignKey(Author, on_delete=models.CASCADE)
    writer = models.ForeignKey("catalog.Author", on_delete=models.CASCADE)
`,
      "orders/nested/__init__.py": "",
      "orders/nested/deep.py": "from ..models import Order\n\n\nclass NotAModel:\n    pass\n",
    });
    const book = model(index, "catalog.Book");
    const author = model(index, "catalog.Author");
    const clerk = model(index, "orders.Author");
    assert.notEqual(author, clerk);
    assert.equal(fieldOf(book, "author").target?.key, author.key, "absolute import from a module of the package");
    fieldOf(book, "created"); // base.Stamped through `from . import base`
    fieldOf(author, "created");
    const order = model(index, "orders.Order");
    assert.equal(fieldOf(order, "book").target?.key, book.key, "import from the models package's __init__");
    assert.equal(fieldOf(order, "clerk").target?.key, clerk.key, "a same-named model of the same file wins");
    assert.equal(fieldOf(order, "writer").target?.key, author.key, "an app-qualified string");
    assert.equal(fieldOf(book, "orders").kind, "reverse-fk");
    assert.equal(fieldOf(author, "order_set").target?.key, order.key);
    assert.equal(fieldOf(clerk, "order_set").target?.key, order.key);
    assert.equal(index.modelByRef("NotAModel"), undefined);
    assert.equal(index.modelByRef("catalog.Stamped")?.abstract, true);
  });

  it("resolves a model imported under another name", async () => {
    const index = await indexOf({
      "people/__init__.py": "",
      "people/models.py": `${HEADER}class Author(models.Model):\n    name = models.CharField(max_length=10)\n`,
      "books/__init__.py": "",
      "books/models.py": `from django.db import models\n\nfrom people.models import Author as Writer\n\n\nclass Book(models.Model):\n    author = models.ForeignKey(Writer, on_delete=models.CASCADE)\n`,
    });
    assert.equal(fieldOf(model(index, "books.Book"), "author").target?.key, "people.Author");
  });

  it("reflects an edit of a model file in the next index", async () => {
    const dir = writeTree({
      "shop/__init__.py": "",
      "shop/models.py": `${HEADER}class Author(models.Model):\n    name = models.CharField(max_length=10)\n`,
    });
    const project = await projectFor(dir);
    assert.equal(project.index.modelByRef("shop.Book"), undefined);
    const file = `${dir}/shop/models.py`;
    project.indexText(file, `${HEADER}class Author(models.Model):\n    name = models.CharField(max_length=10)\n\n\nclass Book(models.Model):\n    author = models.ForeignKey(Author, related_name="books", on_delete=models.CASCADE)\n`);
    const book = project.index.modelByRef("shop.Book");
    assert.ok(book);
    assert.equal(project.index.modelByRef("shop.Author")?.fields.get("books")?.target?.key, book.key);
    project.removeFile(file);
    assert.equal(project.index.modelByRef("shop.Book"), undefined);
  });
});

describe("model index: signal receivers (bulk writes would skip them)", () => {
  const MODELS = `${HEADER}class Plan(models.Model):\n    name = models.CharField(max_length=20)\n\n\nclass Case(models.Model):\n    name = models.CharField(max_length=20)\n`;

  it("takes connect()'s second positional argument as the sender", async () => {
    const index = await indexOf({
      "shop/__init__.py": "",
      "shop/models.py": MODELS,
      "shop/apps.py": "from django.apps import AppConfig\nfrom django.db.models.signals import pre_save\n\n\nclass ShopConfig(AppConfig):\n    name = \"shop\"\n\n    def ready(self):\n        from .models import Plan\n        from . import signals\n        pre_save.connect(signals.clean_plan, Plan)\n",
    });
    assert.equal(model(index, "shop.Plan").writeHooks, true);
    assert.equal(model(index, "shop.Case").writeHooks, false);
  });

  it("takes a receiver of every sender that first tests the instance's class for that class and its subclasses", async () => {
    const models = `${MODELS}\n\nclass Blockable(models.Model):\n    blocked = models.BooleanField(default=False)\n\n    class Meta:\n        abstract = True\n\n\nclass Story(Blockable):\n    name = models.CharField(max_length=20)\n`;
    for (const receiver of [
      '@receiver(models.signals.pre_save, dispatch_uid="blocked")\ndef blocked(sender, instance, **kwargs):\n    if isinstance(instance, Blockable) and not instance.blocked:\n        instance.note = ""\n',
      '@receiver(signals.post_save)\n@transaction.atomic\ndef on_create(\n    sender: type, instance, created: bool, **kwargs\n) -> None:\n    """Only stories."""\n    if not issubclass(sender, (Blockable,)):\n        return\n    print(instance)\n',
    ]) {
      const index = await indexOf({ "shop/__init__.py": "", "shop/models.py": models, "shop/signals.py": `from django.db import models, transaction\nfrom django.db.models import signals\nfrom django.dispatch import receiver\n\nfrom .models import Blockable\n\n\n${receiver}` });
      assert.equal(model(index, "shop.Story").updateHooks, true, receiver);
      assert.equal(model(index, "shop.Plan").updateHooks, false, receiver);
    }
  });

  it("takes every model when the class test does not stop the receiver for other instances", async () => {
    const receiver = '@receiver(post_save)\ndef touched(sender, instance, **kwargs):\n    if isinstance(instance, Plan):\n        print("plan")\n    print("every model")\n';
    const index = await indexOf({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/signals.py": `from django.db.models.signals import post_save\nfrom django.dispatch import receiver\n\nfrom .models import Plan\n\n\n${receiver}` });
    assert.equal(model(index, "shop.Case").updateHooks, true);
  });

  it("does not take a receiver with a sender for one of every model (keyword, or position on several lines)", async () => {
    for (const receiver of [
      "from django.db.models.signals import post_save\nfrom django.dispatch import receiver\n\nfrom .models import Plan\n\n\n@receiver(post_save, sender=Plan, dispatch_uid=\"plan\")\ndef saved(sender, instance, **kwargs):\n    pass\n",
      "from django.db.models.signals import post_save\n\nfrom .models import Plan\n\n\ndef saved(sender, instance, **kwargs):\n    pass\n\n\npost_save.connect(\n    saved,\n    Plan,\n)\n",
    ]) {
      const index = await indexOf({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/signals.py": receiver });
      assert.equal(model(index, "shop.Plan").writeHooks, true);
      assert.equal(model(index, "shop.Case").writeHooks, false, receiver);
    }
  });

  it("gives every model hooks when a receiver takes every sender (@receiver(post_save), post_delete.connect(handler))", async () => {
    for (const receiver of [
      "from django.db.models.signals import post_save\nfrom django.dispatch import receiver\n\n\n@receiver(post_save)\ndef log_change(sender, instance, **kwargs):\n    pass\n",
      "from django.db.models.signals import post_delete\n\n\ndef forget(sender, instance, **kwargs):\n    pass\n\n\npost_delete.connect(forget)\n",
      "from django.db.models.signals import post_save, pre_delete\nfrom django.dispatch import receiver\n\n\n@receiver([post_save, pre_delete], dispatch_uid=\"log\")\ndef log_change(sender, instance, **kwargs):\n    pass\n",
      "from django.db.models.signals import post_save\n\n\ndef index(sender, instance, **kwargs):\n    pass\n\n\npost_save.connect(\n    index,\n    weak=False,\n)\n",
    ]) {
      const index = await indexOf({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/signals.py": receiver });
      assert.equal(model(index, "shop.Plan").writeHooks && model(index, "shop.Plan").updateHooks, true);
      assert.equal(model(index, "shop.Case").writeHooks && model(index, "shop.Case").updateHooks, true);
    }
  });
});
