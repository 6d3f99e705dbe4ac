/**
 * A deterministic generator of realistic Django projects of a requested size (in lines of Python).
 *
 * The project has many apps; each app has models split across files (FKs, M2Ms, a self FK, FKs to the previous
 * app's models by "app.Model" string and by import, an abstract base shared by all apps), a custom QuerySet and
 * a Manager whose get_queryset() joins, views with loops (some joined, some with planted N+1s and queries in
 * loops), DRF serializers and viewsets, admin, forms, urls, plain-Python services and templates.
 *
 * Every planted problem is recorded with its file and 1-based line, so a benchmark can check that the analyzer
 * finds exactly them. Same size and seed, same bytes.
 *
 *   node out/bench/generate.js 100000            -> bench/.corpus/100k/
 *   node out/bench/generate.js 1000000 --out DIR
 */
import * as fs from "fs";
import * as path from "path";

export type PlantedRule = "n-plus-one" | "queryset-in-loop";

export interface Planted {
  /** Path relative to the corpus root, with forward slashes. */
  file: string;
  /** 1-based line of the hint's start. */
  line: number;
  rule: PlantedRule;
}

export interface Corpus {
  root: string;
  files: number;
  lines: number;
  apps: number;
  models: number;
  planted: Planted[];
  counts: Record<PlantedRule, number>;
  /** Module paths (relative) of a few apps' models, for a benchmark's synthetic keystroke module. */
  appNames: string[];
}

/** mulberry32: small, fast and deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DOMAINS = [
  "billing", "catalog", "inventory", "shipping", "accounts", "reviews", "payments", "warehouse", "marketing",
  "support", "analytics", "crm", "booking", "events", "forum", "wiki", "media", "loyalty", "pricing", "tax",
  "returns", "vendors", "subscriptions", "notifications", "search", "reports", "audit", "geo", "hr", "payroll",
  "projects", "tasks", "calendar", "chat", "surveys", "courses", "library", "fleet", "claims", "contracts",
];
const ITEM_NOUNS = ["Product", "Ticket", "Order", "Listing", "Document", "Lesson", "Asset", "Campaign", "Invoice", "Shipment", "Article", "Booking"];
const OWNER_NOUNS = ["Account", "Customer", "Vendor", "Member", "Team", "Partner", "Client", "Store"];
const ENTRY_NOUNS = ["Entry", "Line", "Comment", "Event", "Payment", "Note", "Attachment", "Step"];
const STATUSES = ["draft", "active", "archived", "pending", "closed"];
const WORDS = ["total", "amount", "label", "summary", "score", "weight", "rank", "code", "ref", "region", "level", "bucket"];

const pascal = (s: string) => s.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());
const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

interface AppModels {
  app: string;
  P: string;
  owner: string;
  category: string;
  item: string;
  tag: string;
  entry: string;
  setting: string;
  itemQs: string;
  entryMgr: string;
}

/** Accumulates lines of one file and the planted hints in it. */
class FileWriter {
  lines: string[] = [];
  planted: Planted[] = [];
  constructor(readonly rel: string) {}
  add(...ls: string[]): void {
    for (const l of ls) this.lines.push(...l.split("\n"));
  }
  /** Adds one line that carries a planted hint. */
  plant(rule: PlantedRule, line: string): void {
    this.lines.push(line);
    this.planted.push({ file: this.rel, line: this.lines.length, rule });
  }
  text(): string {
    return this.lines.join("\n") + "\n";
  }
}

class Generator {
  readonly files: FileWriter[] = [];
  readonly templates: { rel: string; text: string }[] = [];
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  file(rel: string): FileWriter {
    const f = new FileWriter(rel);
    this.files.push(f);
    return f;
  }

  common(): void {
    this.file("manage.py").add(
      "#!/usr/bin/env python",
      "import os",
      "import sys",
      "",
      "",
      "def main():",
      '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")',
      "    from django.core.management import execute_from_command_line",
      "",
      "    execute_from_command_line(sys.argv)",
      "",
      "",
      'if __name__ == "__main__":',
      "    main()",
    );
    this.file("project/__init__.py");
    this.file("common/__init__.py");
    this.file("common/models.py").add(
      "from django.conf import settings",
      "from django.db import models",
      "",
      "",
      "class TimeStamped(models.Model):",
      '    """Abstract base of every app model: who created it and when."""',
      "",
      "    created_at = models.DateTimeField(auto_now_add=True, db_index=True)",
      "    updated_at = models.DateTimeField(auto_now=True)",
      "    created_by = models.ForeignKey(",
      '        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"',
      "    )",
      "",
      "    class Meta:",
      "        abstract = True",
      "",
      "",
      "class Setting(models.Model):",
      "    key = models.CharField(max_length=100, unique=True)",
      "    value = models.CharField(max_length=500)",
      "",
      "    def __str__(self):",
      "        return self.key",
    );
  }

  settings(apps: string[]): void {
    const f = this.file("project/settings.py");
    f.add(
      "from pathlib import Path",
      "",
      "BASE_DIR = Path(__file__).resolve().parent.parent",
      'SECRET_KEY = "bench-not-secret"',
      "DEBUG = False",
      'ALLOWED_HOSTS = ["*"]',
      "",
      "INSTALLED_APPS = [",
      '    "django.contrib.admin",',
      '    "django.contrib.auth",',
      '    "django.contrib.contenttypes",',
      '    "django.contrib.sessions",',
      '    "rest_framework",',
      '    "common",',
      ...apps.map((a) => `    "${a}",`),
      "]",
      "",
      'ROOT_URLCONF = "project.urls"',
      'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "bench"}}',
      'REST_FRAMEWORK = {"DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination", "PAGE_SIZE": 50}',
      'TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]',
    );
    const u = this.file("project/urls.py");
    u.add("from django.urls import include, path", "", "urlpatterns = [");
    for (const a of apps) u.add(`    path("${a}/", include("${a}.urls")),`);
    u.add("]");
  }

  models(m: AppModels, prev: AppModels | null): void {
    const { app, P } = m;
    this.file(`${app}/__init__.py`);
    this.file(`${app}/apps.py`).add(
      "from django.apps import AppConfig",
      "",
      "",
      `class ${P}Config(AppConfig):`,
      `    name = "${app}"`,
      `    verbose_name = "${P}"`,
      '    default_auto_field = "django.db.models.BigAutoField"',
    );
    this.file(`${app}/models/__init__.py`).add(
      `from .core import ${m.category}, ${m.item}, ${m.owner}, ${m.tag}  # noqa: F401`,
      `from .activity import ${m.entry}  # noqa: F401`,
    );
    this.file(`${app}/managers.py`).add(
      "from django.db import models",
      "",
      "",
      `class ${m.itemQs}(models.QuerySet):`,
      "    def active(self):",
      '        return self.filter(status="active")',
      "",
      "    def recent(self, days=30):",
      '        return self.order_by("-created_at")',
      "",
      "    def with_owner(self):",
      '        return self.select_related("owner")',
      "",
      "    def priced_between(self, low, high):",
      "        return self.filter(price__gte=low, price__lte=high)",
      "",
      "",
      `class ${m.entryMgr}(models.Manager):`,
      "    def get_queryset(self):",
      "        # Every entry query joins its item.",
      '        return super().get_queryset().select_related("item")',
    );
    const c = this.file(`${app}/models/core.py`);
    c.add(
      "from django.db import models",
      "",
      "from common.models import TimeStamped",
      "",
      `from ..managers import ${m.itemQs}`,
      "",
      "",
      `class ${m.owner}(TimeStamped):`,
      "    name = models.CharField(max_length=200, db_index=True)",
      "    email = models.EmailField(unique=True)",
      "    is_active = models.BooleanField(default=True)",
    );
    if (prev) c.add(`    parent_${snake(prev.owner)} = models.ForeignKey("${prev.app}.${prev.owner}", null=True, blank=True, on_delete=models.SET_NULL, related_name="${snake(m.owner)}_children")`);
    else c.add("    referrer = models.ForeignKey(\"self\", null=True, blank=True, on_delete=models.SET_NULL, related_name=\"referrals\")");
    c.add(
      "",
      "    class Meta:",
      '        ordering = ["name"]',
      "",
      "    def __str__(self):",
      "        return self.name",
      "",
      "",
      `class ${m.category}(models.Model):`,
      "    name = models.CharField(max_length=100, unique=True)",
      "    slug = models.SlugField(max_length=100, unique=True)",
      '    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")',
      "",
      "    class Meta:",
      '        ordering = ["name"]',
      `        verbose_name_plural = "${snake(m.category).replace(/_/g, " ")} entries"`,
      "",
      "    def __str__(self):",
      "        return self.name",
      "",
      "",
      `class ${m.tag}(models.Model):`,
      "    name = models.SlugField(max_length=50, unique=True)",
      "",
      "    def __str__(self):",
      "        return self.name",
      "",
      "",
      `class ${m.item}(TimeStamped):`,
      `    STATUS_CHOICES = [${STATUSES.map((s) => `("${s}", "${pascal(s)}")`).join(", ")}]`,
      "",
      "    title = models.CharField(max_length=300)",
      "    slug = models.SlugField(max_length=300, unique=True)",
      `    owner = models.ForeignKey(${m.owner}, on_delete=models.CASCADE, related_name="items")`,
      `    category = models.ForeignKey("${app}.${m.category}", null=True, blank=True, on_delete=models.SET_NULL)`,
      `    tags = models.ManyToManyField(${m.tag}, blank=True)`,
      '    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default="draft")',
      "    price = models.DecimalField(max_digits=10, decimal_places=2)",
      "    quantity = models.PositiveIntegerField(default=0)",
      "    description = models.TextField(blank=True)",
      "    metadata = models.JSONField(default=dict, blank=True)",
      "",
      `    objects = ${m.itemQs}.as_manager()`,
      "",
      "    class Meta:",
      '        ordering = ["-created_at", "title"]',
      '        indexes = [models.Index(fields=["status", "created_at"])]',
      "",
      "    def __str__(self):",
      "        return self.title",
      "",
      "    @property",
      "    def is_available(self):",
      '        return self.status == "active" and self.quantity > 0',
      "",
      "    def total_value(self):",
      "        return self.price * self.quantity",
    );
    const a = this.file(`${app}/models/activity.py`);
    a.add(
      "from django.conf import settings",
      "from django.db import models",
      "",
      `from ..managers import ${m.entryMgr}`,
      `from .core import ${m.item}`,
      "",
      "",
      `class ${m.entry}(models.Model):`,
      `    item = models.ForeignKey(${m.item}, on_delete=models.CASCADE, related_name="entries")`,
      '    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")',
      "    amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)",
      "    note = models.CharField(max_length=500, blank=True)",
      "    happened_at = models.DateTimeField(db_index=True)",
      "",
      `    objects = ${m.entryMgr}()`,
      "",
      "    class Meta:",
      '        ordering = ["-happened_at"]',
      `        verbose_name_plural = "${snake(m.entry).replace(/_/g, " ")}s"`,
      "",
      "    def __str__(self):",
      '        return f"{self.item_id}: {self.amount}"',
    );
  }

  /** One view function; returns lines and planted marks through the writer. */
  view(f: FileWriter, m: AppModels, prev: AppModels | null, k: number): void {
    const { app } = m;
    const p = snake(m.P);
    const kind = this.int(prev ? 14 : 13);
    const status = this.pick(STATUSES);
    const w = this.pick(WORDS);
    f.add("", "");
    switch (kind) {
      case 0: // planted: forward FK per row
        f.add(
          "@login_required",
          `def ${p}_item_report_${k}(request):`,
          `    items = ${m.item}.objects.filter(status="${status}")`,
          "    lines = []",
          "    for item in items:",
          "        # one query per item to load its owner",
        );
        f.plant("n-plus-one", `        lines.append(f"{item.title} by {item.owner.name}")`);
        f.add(`    return render(request, "${app}/report.html", {"lines": lines})`);
        break;
      case 1: // safe: joined
        f.add(
          "@login_required",
          `def ${p}_item_owners_${k}(request):`,
          `    items = ${m.item}.objects.filter(status="${status}").select_related("owner", "category")`,
          "    rows = []",
          "    for item in items:",
          "        rows.append({",
          '            "title": item.title,',
          '            "owner": item.owner.name,',
          '            "category": item.category.name if item.category_id else None,',
          '            "price": str(item.price),',
          "        })",
          '    return JsonResponse({"rows": rows})',
        );
        break;
      case 2: // planted: reverse FK in a comprehension
        f.add(
          "@login_required",
          `def ${p}_owner_shelves_${k}(request):`,
          `    owners = ${m.owner}.objects.filter(is_active=True)`,
        );
        f.plant("n-plus-one", "    shelves = [(o.name, list(o.items.all())) for o in owners]");
        f.add(
          `    joined = ${m.owner}.objects.filter(is_active=False).prefetch_related("items")`,
          "    shelves += [(o.name, list(o.items.all())) for o in joined]",
          `    return render(request, "${app}/shelves.html", {"shelves": shelves})`,
        );
        break;
      case 3: // planted: M2M in a nested loop
        f.add(
          "@login_required",
          `def ${p}_tag_index_${k}(request):`,
          `    items = ${m.item}.objects.active()`,
          "    by_tag = {}",
          "    for item in items:",
        );
        f.plant("n-plus-one", "        for tag in item.tags.all():");
        f.add(
          "            by_tag.setdefault(tag.name, []).append(item.title)",
          `    for item in ${m.item}.objects.filter(status="draft").prefetch_related("tags"):`,
          "        for tag in item.tags.all():",
          '            by_tag.setdefault(tag.name, []).append(f"{item.title} (draft)")',
          `    return render(request, "${app}/tags.html", {"by_tag": sorted(by_tag.items())})`,
        );
        break;
      case 4: // planted: queries in a loop (related count, exists)
        f.add(
          "@login_required",
          `def ${p}_owner_stats_${k}(request):`,
          `    owners = ${m.owner}.objects.all()`,
          "    stats = []",
          "    flagged = []",
          "    for owner in owners:",
        );
        f.plant("queryset-in-loop", "        stats.append((owner.name, owner.items.count()))");
        f.plant("queryset-in-loop", `        if ${m.item}.objects.filter(owner=owner, status="draft").exists():`);
        f.add(
          "            flagged.append(owner.name)",
          `    counted = [(o.name, o.n) for o in ${m.owner}.objects.annotate(n=Count("items"))]`,
          `    return render(request, "${app}/stats.html", {"stats": stats, "flagged": flagged, "counted": counted})`,
        );
        break;
      case 5: // planted: get() per id
        f.add(
          "@login_required",
          "@require_POST",
          `def ${p}_bulk_update_${k}(request):`,
          "    payload = json.loads(request.body)",
          "    updated = []",
          '    for row in payload.get("rows", []):',
        );
        f.plant("queryset-in-loop", `        item = ${m.item}.objects.get(pk=row["id"])`);
        f.add(
          '        item.quantity = int(row.get("quantity", 0))',
          "        updated.append(item)",
          `    ${m.item}.objects.bulk_update(updated, ["quantity"])`,
          '    return JsonResponse({"updated": len(updated)})',
        );
        break;
      case 6: // planted: loop-invariant query
        f.add(
          "@login_required",
          `def ${p}_price_list_${k}(request):`,
          "    prices = []",
          `    for item in ${m.item}.objects.filter(status="active").only("title", "price"):`,
        );
        f.plant("queryset-in-loop", `        rate = Setting.objects.get(key="${w}_rate")`);
        f.add(
          "        prices.append((item.title, item.price * Decimal(rate.value)))",
          '    return JsonResponse({"prices": [(t, str(p)) for t, p in prices]})',
        );
        break;
      case 7: // safe: values() rows and _id columns
        f.add(
          "@login_required",
          `def ${p}_export_${k}(request):`,
          "    out = []",
          `    for row in ${m.item}.objects.filter(status="${status}").values("title", "owner__name"):`,
          '        out.append(f"{row[\'title\']};{row[\'owner__name\']}")',
          `    keys = [item.owner_id for item in ${m.item}.objects.filter(status="archived").only("owner")]`,
          '    return JsonResponse({"rows": out, "keys": keys})',
        );
        break;
      case 8: // safe: the manager joins
        f.add(
          "@login_required",
          `def ${p}_entry_feed_${k}(request):`,
          "    feed = []",
          `    for entry in ${m.entry}.objects.filter(amount__gt=0)[:50]:`,
          '        feed.append({"item": entry.item.title, "amount": str(entry.amount), "note": entry.note})',
          '    return JsonResponse({"feed": feed})',
        );
        break;
      case 9: // planted: helper builds the queryset, the loop is elsewhere
        f.add(
          `def ${p}_recent_items_${k}():`,
          `    return ${m.item}.objects.filter(status="active").order_by("-created_at")[:20]`,
          "",
          "",
          "@login_required",
          `def ${p}_recent_feed_${k}(request):`,
          "    feed = []",
          `    for item in ${p}_recent_items_${k}():`,
        );
        f.plant("n-plus-one", '        feed.append({"title": item.title, "owner": item.owner.email})');
        f.add('    return JsonResponse({"feed": feed})');
        break;
      case 10: // safe: get_object_or_404 and a related manager that joins
        f.add(
          "@login_required",
          `def ${p}_item_detail_${k}(request, slug):`,
          `    item = get_object_or_404(${m.item}, slug=slug)`,
          '    entries = item.entries.order_by("-happened_at")[:10]',
          "    context = {",
          '        "item": item,',
          '        "entries": entries,',
          '        "owner": item.owner,',
          "    }",
          `    return render(request, "${app}/item_detail.html", context)`,
        );
        break;
      case 11: // cacheable read-only view
        f.add(
          `def ${p}_category_index_${k}(request):`,
          `    categories = ${m.category}.objects.filter(parent__isnull=True).annotate(n=Count("${m.item.toLowerCase()}"))`,
          `    return render(request, "${app}/categories.html", {"categories": categories})`,
        );
        break;
      case 12: // class-based views
        f.add(
          `class ${m.P}ItemList${k}View(LoginRequiredMixin, ListView):`,
          `    model = ${m.item}`,
          `    template_name = "${app}/item_list.html"`,
          "    paginate_by = 25",
          "",
          "    def get_queryset(self):",
          '        return super().get_queryset().select_related("owner").filter(status="active")',
          "",
          "    def get_context_data(self, **kwargs):",
          "        context = super().get_context_data(**kwargs)",
          `        context["${w}"] = "${status}"`,
          "        return context",
        );
        break;
      case 13: // planted: a nested path across apps
        f.add(
          "@login_required",
          `def ${p}_lineage_${k}(request):`,
          `    items = ${m.item}.objects.select_related("owner")`,
          "    lines = []",
          "    for item in items:",
        );
        f.plant("n-plus-one", `        lines.append(f"{item.title}: {item.owner.parent_${snake(prev!.owner)}.name}")`);
        f.add(`    return render(request, "${app}/report.html", {"lines": lines})`);
        break;
    }
  }

  views(m: AppModels, prev: AppModels | null, count: number): void {
    const f = this.file(`${m.app}/views.py`);
    f.add(
      "import json",
      "from decimal import Decimal",
      "",
      "from django.contrib.auth.decorators import login_required",
      "from django.contrib.auth.mixins import LoginRequiredMixin",
      "from django.db.models import Count",
      "from django.http import JsonResponse",
      "from django.shortcuts import get_object_or_404, render",
      "from django.views.decorators.http import require_POST",
      "from django.views.generic import ListView",
      "",
      "from common.models import Setting",
      "",
      `from .models import ${m.category}, ${m.entry}, ${m.item}, ${m.owner}`,
    );
    for (let k = 0; k < count; k++) this.view(f, m, prev, k);
  }

  serializers(m: AppModels): void {
    const p = snake(m.P);
    this.file(`${m.app}/serializers.py`).add(
      "from rest_framework import serializers",
      "",
      `from .models import ${m.category}, ${m.entry}, ${m.item}, ${m.owner}`,
      "",
      "",
      `class ${m.owner}Serializer(serializers.ModelSerializer):`,
      "    item_count = serializers.IntegerField(read_only=True)",
      "",
      "    class Meta:",
      `        model = ${m.owner}`,
      '        fields = ["id", "name", "email", "is_active", "item_count"]',
      "",
      "",
      `class ${m.category}Serializer(serializers.ModelSerializer):`,
      "    class Meta:",
      `        model = ${m.category}`,
      '        fields = ["id", "name", "slug"]',
      "",
      "",
      `class ${m.item}Serializer(serializers.ModelSerializer):`,
      `    category = ${m.category}Serializer(read_only=True)`,
      '    owner_name = serializers.CharField(source="owner.name", read_only=True)',
      "",
      "    class Meta:",
      `        model = ${m.item}`,
      '        fields = ["id", "title", "slug", "status", "price", "quantity", "owner", "owner_name", "category"]',
      '        read_only_fields = ["slug"]',
      "",
      "    def validate_price(self, value):",
      "        if value < 0:",
      '            raise serializers.ValidationError("price must not be negative")',
      "        return value",
      "",
      "",
      `class ${m.entry}Serializer(serializers.ModelSerializer):`,
      "    class Meta:",
      `        model = ${m.entry}`,
      '        fields = ["id", "item", "amount", "note", "happened_at"]',
      "",
      "",
      `def ${p}_serialize_items(queryset):`,
      `    return ${m.item}Serializer(queryset.select_related("owner", "category"), many=True).data`,
    );
    this.file(`${m.app}/api.py`).add(
      "from django.db.models import Count",
      "from rest_framework import permissions, viewsets",
      "",
      `from .models import ${m.entry}, ${m.item}, ${m.owner}`,
      `from .serializers import ${m.entry}Serializer, ${m.item}Serializer, ${m.owner}Serializer`,
      "",
      "",
      `class ${m.owner}ViewSet(viewsets.ReadOnlyModelViewSet):`,
      `    serializer_class = ${m.owner}Serializer`,
      "    permission_classes = [permissions.IsAuthenticated]",
      "",
      "    def get_queryset(self):",
      `        return ${m.owner}.objects.annotate(item_count=Count("items"))`,
      "",
      "",
      `class ${m.item}ViewSet(viewsets.ModelViewSet):`,
      `    queryset = ${m.item}.objects.select_related("owner", "category")`,
      `    serializer_class = ${m.item}Serializer`,
      "    permission_classes = [permissions.IsAuthenticated]",
      '    filterset_fields = ["status", "category"]',
      "",
      "    def perform_create(self, serializer):",
      "        serializer.save(created_by=self.request.user)",
      "",
      "",
      `class ${m.entry}ViewSet(viewsets.ReadOnlyModelViewSet):`,
      `    queryset = ${m.entry}.objects.all()`,
      `    serializer_class = ${m.entry}Serializer`,
      "    permission_classes = [permissions.IsAuthenticated]",
    );
  }

  admin(m: AppModels): void {
    this.file(`${m.app}/admin.py`).add(
      "from django.contrib import admin",
      "",
      `from .models import ${m.category}, ${m.entry}, ${m.item}, ${m.owner}, ${m.tag}`,
      "",
      "",
      `@admin.register(${m.item})`,
      `class ${m.item}Admin(admin.ModelAdmin):`,
      '    list_display = ["title", "status", "price", "quantity", "owner"]',
      '    list_filter = ["status", "category"]',
      '    search_fields = ["title", "slug"]',
      '    list_select_related = ["owner"]',
      '    prepopulated_fields = {"slug": ("title",)}',
      "",
      "",
      `@admin.register(${m.owner})`,
      `class ${m.owner}Admin(admin.ModelAdmin):`,
      '    list_display = ["name", "email", "is_active"]',
      '    search_fields = ["name", "email"]',
      "",
      "",
      `admin.site.register(${m.category})`,
      `admin.site.register(${m.tag})`,
      `admin.site.register(${m.entry})`,
    );
    this.file(`${m.app}/forms.py`).add(
      "from django import forms",
      "",
      `from .models import ${m.item}`,
      "",
      "",
      `class ${m.item}Form(forms.ModelForm):`,
      "    class Meta:",
      `        model = ${m.item}`,
      '        fields = ["title", "slug", "status", "price", "quantity", "category", "tags", "description"]',
      "",
      "    def clean_quantity(self):",
      '        quantity = self.cleaned_data["quantity"]',
      "        if quantity > 100000:",
      '            raise forms.ValidationError("too many")',
      "        return quantity",
    );
  }

  /** Plain Python with loops and no ORM, as most of a real code base is. */
  services(m: AppModels, count: number): void {
    const f = this.file(`${m.app}/services.py`);
    const p = snake(m.P);
    f.add(
      '"""Pure helpers: no queries here."""',
      "import dataclasses",
      "import datetime",
      "from collections import defaultdict",
      "from decimal import ROUND_HALF_UP, Decimal",
      "",
      "",
      "@dataclasses.dataclass",
      `class ${m.P}Summary:`,
      "    label: str",
      "    total: Decimal = Decimal(0)",
      "    count: int = 0",
      "    tags: list = dataclasses.field(default_factory=list)",
      "",
      "    def add(self, amount, tag=None):",
      "        self.total += Decimal(amount)",
      "        self.count += 1",
      "        if tag and tag not in self.tags:",
      "            self.tags.append(tag)",
      "",
      "    @property",
      "    def average(self):",
      "        if not self.count:",
      "            return Decimal(0)",
      '        return (self.total / self.count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)',
    );
    for (let k = 0; k < count; k++) {
      const w = this.pick(WORDS);
      const n = 2 + this.int(9);
      f.add(
        "",
        "",
        `def ${p}_${w}_buckets_${k}(rows, size=${n}):`,
        `    """Groups rows by ${w} into buckets of ${n}."""`,
        "    buckets = defaultdict(list)",
        "    for index, row in enumerate(rows):",
        `        key = row.get("${w}") or index // size`,
        "        buckets[key].append(row)",
        "    result = []",
        "    for key, items in sorted(buckets.items(), key=lambda kv: str(kv[0])):",
        `        summary = ${m.P}Summary(label=str(key))`,
        "        for item in items:",
        '            summary.add(item.get("amount", 0), item.get("tag"))',
        "        result.append(summary)",
        "    return result",
        "",
        "",
        `def ${p}_${w}_window_${k}(start, days=${n * 7}):`,
        "    today = datetime.date.today()",
        "    end = start + datetime.timedelta(days=days)",
        "    if end > today:",
        "        end = today",
        "    return [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]",
      );
    }
  }

  urls(m: AppModels, viewNames: string[]): void {
    const f = this.file(`${m.app}/urls.py`);
    f.add(
      "from django.urls import include, path",
      "from rest_framework.routers import DefaultRouter",
      "",
      "from . import api, views",
      "",
      "router = DefaultRouter()",
      `router.register("owners", api.${m.owner}ViewSet, basename="${snake(m.owner)}")`,
      `router.register("items", api.${m.item}ViewSet)`,
      `router.register("entries", api.${m.entry}ViewSet)`,
      "",
      `app_name = "${m.app}"`,
      "urlpatterns = [",
      '    path("api/", include(router.urls)),',
    );
    for (const v of viewNames) f.add(`    path("${v.replace(/_/g, "-")}/", views.${v}, name="${v}"),`);
    f.add("]");
  }

  tests(m: AppModels): void {
    this.file(`${m.app}/tests/__init__.py`);
    this.file(`${m.app}/tests/test_models.py`).add(
      "from decimal import Decimal",
      "",
      "from django.test import TestCase",
      "",
      `from ${m.app}.models import ${m.item}, ${m.owner}`,
      "",
      "",
      `class ${m.item}Tests(TestCase):`,
      "    @classmethod",
      "    def setUpTestData(cls):",
      `        cls.owner = ${m.owner}.objects.create(name="o", email="o@example.com")`,
      `        cls.item = ${m.item}.objects.create(title="t", slug="t", owner=cls.owner, price=Decimal("2.50"), quantity=4)`,
      "",
      "    def test_total_value(self):",
      '        self.assertEqual(self.item.total_value(), Decimal("10.00"))',
      "",
      "    def test_available(self):",
      "        self.assertFalse(self.item.is_available)",
      '        self.item.status = "active"',
      "        self.assertTrue(self.item.is_available)",
      "",
      "    def test_str(self):",
      '        self.assertEqual(str(self.item), "t")',
      '        self.assertEqual(str(self.owner), "o")',
    );
  }

  templateFiles(m: AppModels): void {
    const t = (name: string, body: string) => this.templates.push({ rel: `${m.app}/templates/${m.app}/${name}`, text: body });
    t("base.html", '<!doctype html>\n<html>\n<head><title>{% block title %}{% endblock %}</title></head>\n<body>\n{% block content %}{% endblock %}\n</body>\n</html>\n');
    t("report.html", `{% extends "${m.app}/base.html" %}\n{% block content %}\n<ul>\n{% for line in lines %}\n  <li>{{ line }}</li>\n{% endfor %}\n</ul>\n{% endblock %}\n`);
    t("categories.html", `{% extends "${m.app}/base.html" %}\n{% block content %}\n{% for c in categories %}\n  <h2>{{ c.name }} ({{ c.n }})</h2>\n{% endfor %}\n{% endblock %}\n`);
    t("item_list.html", `{% extends "${m.app}/base.html" %}\n{% block content %}\n<p>Signed in as {{ user.username }}</p>\n{% for item in object_list %}\n  <li>{{ item.title }} by {{ item.owner.name }}</li>\n{% endfor %}\n{% endblock %}\n`);
    t("item_detail.html", `{% extends "${m.app}/base.html" %}\n{% block content %}\n<h1>{{ item.title }}</h1>\n{% for e in entries %}<p>{{ e.amount }} {{ e.note }}</p>{% endfor %}\n{% endblock %}\n`);
  }
}

export function sizeLabel(lines: number): string {
  if (lines >= 1000000 && lines % 1000000 === 0) return `${lines / 1000000}m`;
  if (lines >= 1000 && lines % 1000 === 0) return `${lines / 1000}k`;
  return String(lines);
}

function appModels(app: string): AppModels {
  const P = pascal(app);
  const h = [...app].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) >>> 0, 7);
  const owner = P + OWNER_NOUNS[h % OWNER_NOUNS.length];
  const item = P + ITEM_NOUNS[(h >>> 3) % ITEM_NOUNS.length];
  const entry = P + ENTRY_NOUNS[(h >>> 6) % ENTRY_NOUNS.length];
  return { app, P, owner, item, entry, category: `${P}Category`, tag: `${P}Tag`, setting: "Setting", itemQs: `${item}QuerySet`, entryMgr: `${entry}Manager` };
}

/** Builds the corpus in memory: relative path -> text, plus the planted hints. */
export function buildCorpus(targetLines: number, seed = 42): { files: Map<string, string>; planted: Planted[]; apps: string[]; lines: number } {
  const g = new Generator(seed);
  g.common();
  const apps: string[] = [];
  let lines = 0;
  let prev: AppModels | null = null;
  const SETTINGS_ESTIMATE = 30;
  for (let i = 0; lines + SETTINGS_ESTIMATE < targetLines || apps.length === 0; i++) {
    const app = `${DOMAINS[i % DOMAINS.length]}${i >= DOMAINS.length ? `_${Math.floor(i / DOMAINS.length)}` : ""}`;
    const m = appModels(app);
    const before = g.files.length;
    g.models(m, prev);
    const viewCount = 10 + g.int(16);
    g.views(m, prev, viewCount);
    const viewFile = g.files[g.files.length - 1];
    const viewNames = viewFile.lines.filter((l) => /^def \w+\(request/.test(l)).map((l) => l.slice(4, l.indexOf("(")));
    g.serializers(m);
    g.admin(m);
    g.services(m, 4 + g.int(10));
    g.urls(m, viewNames);
    g.tests(m);
    g.templateFiles(m);
    apps.push(app);
    for (const f of g.files.slice(before)) lines += f.lines.length;
    prev = m;
    if (lines + SETTINGS_ESTIMATE >= targetLines) break;
  }
  g.settings(apps);
  const files = new Map<string, string>();
  const planted: Planted[] = [];
  let total = 0;
  for (const f of g.files) {
    files.set(f.rel, f.lines.length ? f.text() : "");
    total += f.lines.length;
    planted.push(...f.planted);
  }
  for (const t of g.templates) files.set(t.rel, t.text);
  return { files, planted, apps, lines: total };
}

const CORPUS_DIR = path.resolve(__dirname, "..", "..", "bench", ".corpus");

/** Writes the corpus to bench/.corpus/<size>/ (or outDir) unless an identical one (same manifest) is there. */
export function generate(targetLines: number, outDir?: string, seed = 42): Corpus {
  const root = path.resolve(outDir ?? path.join(CORPUS_DIR, sizeLabel(targetLines)));
  const built = buildCorpus(targetLines, seed);
  const counts: Record<PlantedRule, number> = { "n-plus-one": 0, "queryset-in-loop": 0 };
  for (const p of built.planted) counts[p.rule]++;
  const py = [...built.files.keys()].filter((f) => f.endsWith(".py")).length;
  const corpus: Corpus = { root, files: py, lines: built.lines, apps: built.apps.length, models: built.apps.length * 5 + 1, planted: built.planted, counts, appNames: built.apps };
  const manifestPath = path.join(root, "bench-manifest.json");
  const manifest = JSON.stringify({ generator: 1, seed, targetLines, files: py, lines: built.lines, counts });
  let same = false;
  try {
    same = fs.readFileSync(manifestPath, "utf8") === manifest;
  } catch {
    same = false;
  }
  if (!same) {
    fs.rmSync(root, { recursive: true, force: true });
    for (const [rel, text] of built.files) {
      const full = path.join(root, rel);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, text);
    }
    fs.writeFileSync(manifestPath, manifest);
  }
  return corpus;
}

/**
 * A ~`lines`-line views module over the corpus's first apps, for keystroke latency. It is not written to disk:
 * the benchmark opens it as an unsaved document (an overlay) in the corpus's root.
 */
export function keystrokeModule(appNames: string[], lines = 5000, seed = 7): string {
  const g = new Generator(seed);
  const used = appNames.slice(0, Math.min(4, appNames.length));
  const ms = used.map(appModels);
  const f = new FileWriter("keystroke.py");
  f.add(
    '"""A long views module, as real projects grow them."""',
    "import json",
    "from decimal import Decimal",
    "",
    "from django.contrib.auth.decorators import login_required",
    "from django.contrib.auth.mixins import LoginRequiredMixin",
    "from django.db.models import Count",
    "from django.http import JsonResponse",
    "from django.shortcuts import get_object_or_404, render",
    "from django.views.decorators.http import require_POST",
    "from django.views.generic import ListView",
    "",
    "from common.models import Setting",
  );
  for (const m of ms) f.add(`from ${m.app}.models import ${m.category}, ${m.entry}, ${m.item}, ${m.owner}`);
  for (let k = 0; f.lines.length < lines; k++) {
    const i = k % ms.length;
    g.view(f, ms[i], i > 0 ? ms[i - 1] : null, k);
  }
  return f.text();
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const size = Number(args.find((a) => /^\d+$/.test(a)) ?? 100000);
  const outIdx = args.indexOf("--out");
  const c = generate(size, outIdx >= 0 ? args[outIdx + 1] : undefined);
  process.stdout.write(`${c.root}: ${c.files} Python files, ${c.lines} lines, ${c.apps} apps; planted n-plus-one=${c.counts["n-plus-one"]} queryset-in-loop=${c.counts["queryset-in-loop"]}\n`);
}
