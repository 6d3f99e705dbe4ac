/**
 * The workspace model index: every Django model with its fields, relations, reverse accessors, managers and
 * Meta, resolved across files from FileFacts. Rebuilding it from facts is cheap; parsing is what costs.
 */
import type { AssignFact, ChainOp, ClassFact, FileFacts, MethodFact } from "./facts";
import { DJANGO_LIST_VIEWS, QUERYSET_API } from "./facts";

export type FieldKind =
  | "concrete"
  | "fk"
  | "o2o"
  | "m2m"
  | "gfk"
  | "generic-relation"
  | "reverse-fk"
  | "reverse-o2o"
  | "reverse-m2m";

export interface ModelField {
  name: string;
  kind: FieldKind;
  /** Field class as written, e.g. "models.ForeignKey", "CharField". */
  fieldClass: string;
  /** Related model for relations (unresolved relations have none and are treated as unknown). */
  target?: Model;
  /** The model that declares this field (for inherited fields, the base). */
  owner: Model;
  null: boolean;
  dbIndex: boolean;
  unique: boolean;
  primaryKey: boolean;
  /** TextField / JSONField / BinaryField and kin: big columns worth deferring. */
  big: boolean;
  /** Definition site (for reverse accessors, the forward field's). */
  file: string;
  start: number;
  end: number;
  assign?: AssignFact;
  /** For reverse accessors: the forward field they mirror. */
  forward?: ModelField;
}

/** Where a field is used as a lookup key or for ordering (by missing-index). */
export interface FieldUse {
  file: string;
  start: number;
  end: number;
  kind: "filter" | "order";
  key: string;
  /**
   * The other lookup keys the same query filters on (any call of its chain), including the foreign key a related
   * manager filters by (`check.flip_set.filter(...)` filters on "owner"): an index on one of them may serve the
   * query. "**" stands for conditions that cannot be read. Keys are relative to `root`.
   */
  siblings: string[];
  /** The model the query starts from (not the field's model, for a lookup through a relation). */
  root: Model;
  /** The query deletes the rows it filters (`filter(created__lt=t).delete()`). */
  prunes?: boolean;
  /** The literal True or False the key is compared with, when it is one. */
  bool?: boolean;
  /** "Older than an age" (`created__lt=now() - timedelta(days=30)`): see LookupFact.olderThanNow. */
  olderThanNow?: boolean;
}

const ANY_TIME_FIELD = /(DateTimeField|DateField|TimeField|CreatedField|ModifiedField)$/;
const USER_BASES = /(^|\.)(AbstractUser|AbstractBaseUser|PermissionsMixin)$/;

// `year` becomes a range on the column; `date` (and `date__gte`, ...) casts it, which a plain index cannot serve.
const INDEXABLE_LOOKUPS = new Set(["exact", "in", "gt", "gte", "lt", "lte", "range", "year", "isnull"]);
const NOT_INDEX_USE = new Set(["isnull"]);
/**
 * Files whose queries do not count: tests and their helpers (`testing.py`, `testutils/`, `unittests/`, a
 * `generate_test_data` command), migrations (also `db_migrations/`), and loaders of development fixtures
 * (`loaddevfixture.py`).
 */
export const TEST_OR_MIGRATION = /(^|\/)(tests?|unit_?tests?|\w*migrations|testing|test_?utils?)(\/|$)|(^|\/)(tests?|test_[^/]*|[^/]*_tests?|conftest|testing|test_?utils?|[^/]*_test_data)\.py$|(^|\/)[^/]*dev[-_]?(site[-_]?)?fixtures?[^/]*(\/|$)|(^|\/)load\w*fixtures?\w*\.py$/;

export interface QsShape {
  select: string[];
  selectAll: boolean;
  prefetch: string[];
  /** get_queryset() chooses the columns (only(), defer(), values()). */
  only: boolean;
  /** The fields its only() names and its defer() leaves out, when they can be read. */
  onlyFields?: string[];
  deferFields?: string[];
  /** It chooses them in a way not read: values(), an argument that is not a string. */
  columnsUnknown?: boolean;
  /** fetch_mode(FETCH_PEERS): relations load in batches already. */
  batched?: boolean;
}

export interface Manager {
  name: string;
  /** Options applied by get_queryset(); null when get_queryset() exists but cannot be read. */
  shape: QsShape | null;
  /** Methods of the manager and of its QuerySet class, by name. */
  methods: Map<string, MethodFact>;
  /** A manager class from outside the workspace: its methods and get_queryset are unknown. */
  opaque: boolean;
  /** The names of `methods` its QuerySet class has too (as_manager, from_queryset): chainable after queryset calls. */
  querysetMethods?: ReadonlySet<string>;
}

export interface Model {
  key: string;
  name: string;
  app: string;
  file: string;
  cls: ClassFact | null;
  abstract: boolean;
  /** Every base class is known: attributes not found are really not relations. */
  complete: boolean;
  fields: Map<string, ModelField>;
  managers: Map<string, Manager>;
  defaultManager: Manager;
  /** Querysets load relations in batches already (auto_prefetch, fetch_mode(FETCH_PEERS)). */
  autoPrefetch: boolean;
  /**
   * The default manager orders every queryset it makes, Meta.ordering or not: django-mptt's TreeManager, which an
   * MPTTModel gets when it declares no manager (it orders by tree_id, lft).
   */
  managerOrders?: boolean;
  /**
   * A django-polymorphic model (a PolymorphicModel base, or a parent that is one): its manager hands back the
   * subclass of each row, but select_related builds the base class from the joined columns, so a subclass's
   * overrides stop running. Joins to it go through prefetch_related, which uses its manager.
   */
  polymorphic?: boolean;
  ordering: string[];
  indexed: string[][];
  /** Column sets unique together (unique_together, UniqueConstraint without a condition), own and inherited. */
  unique?: string[][];
  builtin: boolean;
  /** A custom save(), signal receivers, or unknown bases: bulk methods would skip behaviour. */
  writeHooks: boolean;
  /**
   * Saving a row loaded from the database runs code that bulk_update() would skip: a save() override that does
   * more than set up new objects, or save/delete signal receivers. (writeHooks also counts work for new objects
   * and delete() overrides, which matter to bulk_create() and bulk deletes.)
   */
  updateHooks: boolean;
}

const MODEL_BASES = new Set([
  "models.Model", "Model", "django.db.models.Model", "db.models.Model",
]);
const AUTO_PREFETCH_BASES = /(^|\.)auto_prefetch\.Model$/;
/**
 * django.contrib.auth's abstract models, the bases of a custom user model, with the fields each gives (as named on
 * the built-in auth.User, which has them all).
 */
const AUTH_BASES: Record<string, readonly string[]> = {
  AbstractBaseUser: ["password", "last_login"],
  PermissionsMixin: ["is_superuser", "groups", "user_permissions"],
  AbstractUser: ["password", "last_login", "is_superuser", "groups", "user_permissions", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined"],
};
const MANAGER_BASES = /(^|\.)(Manager|BaseManager)$/;
/**
 * Managers of Django and packages whose get_queryset() joins and prefetches nothing: sites' CurrentSiteManager (it
 * filters by site), django-mptt's TreeManager (it orders by the tree), model_utils' InheritanceManager
 * (select_subclasses() is asked for), QueryManager and SoftDeletableManager (they filter). Read as Django's own
 * manager; any other package's manager is opaque.
 */
const PLAIN_PACKAGE_MANAGERS = /(^|\.)(CurrentSiteManager|TreeManager|InheritanceManager|QueryManager|SoftDeletableManager)$/;
const AUTH_MANAGERS = new Set(["UserManager", "BaseUserManager"]);
const QUERYSET_BASES = /(^|\.)QuerySet$/;

const RELATIONS: Record<string, FieldKind> = {
  ForeignKey: "fk", ParentalKey: "fk", TreeForeignKey: "fk",
  // django-annoying's AutoOneToOneField; django-sortedm2m's SortedManyToManyField.
  OneToOneField: "o2o", ParentalOneToOneField: "o2o", TreeOneToOneField: "o2o", AutoOneToOneField: "o2o",
  ManyToManyField: "m2m", ParentalManyToManyField: "m2m", TreeManyToManyField: "m2m", SortedManyToManyField: "m2m",
  GenericForeignKey: "gfk",
  GenericRelation: "generic-relation",
};
const BIG_FIELDS = /^(TextField|JSONField|BinaryField|HStoreField|ArrayField|RichTextField|StreamField|SearchVectorField)$/;

const lastPart = (d: string) => d.slice(d.lastIndexOf(".") + 1);

export function emptyShape(): QsShape {
  return { select: [], selectAll: false, prefetch: [], only: false };
}

export function applyOpsToShape(shape: QsShape, ops: ChainOp[]): QsShape | null {
  const out: QsShape = { ...shape, select: [...shape.select], prefetch: [...shape.prefetch], deferFields: shape.deferFields && [...shape.deferFields] };
  for (const op of ops) {
    if (op.method === "select_related") {
      if (!op.strings.length) out.selectAll = true;
      for (const s of op.strings) if (s === null) out.selectAll = true; else out.select.push(s);
    } else if (op.method === "prefetch_related") {
      for (const s of op.strings) if (s !== null) out.prefetch.push(s);
      for (const p of op.prefetches) out.prefetch.push(p.lookup);
      if (op.strings.some((s) => s === null) && !op.prefetches.length) return null;
    } else if (op.method === "only" || op.method === "defer" || op.method === "values" || op.method === "values_list") {
      out.only = true;
      const names = op.strings.filter((x): x is string => x !== null);
      if (op.method === "values" || op.method === "values_list" || names.length < op.strings.length) out.columnsUnknown = true;
      else if (op.method === "only") out.onlyFields = names;
      else out.deferFields = [...(out.deferFields ?? []), ...names];
    } else if (op.method === "fetch_mode" && op.peers) {
      out.batched = true;
    }
  }
  return out;
}

/** Where Django's own models (other than the user model, which settings may replace) are imported from. */
const BUILTIN_IMPORTS: Record<string, string> = {
  "django.contrib.auth.models.Group": "auth.Group",
  "django.contrib.auth.models.Permission": "auth.Permission",
  "django.contrib.contenttypes.models.ContentType": "contenttypes.ContentType",
  "django.contrib.sites.models.Site": "sites.Site",
};

function builtinModels(): Model[] {
  const mk = (app: string, name: string, concrete: string[]): Model => {
    const m: Model = {
      key: `${app}.${name}`, name, app, file: "", cls: null, abstract: false, complete: true, fields: new Map(),
      managers: new Map(), defaultManager: { name: "objects", shape: emptyShape(), methods: new Map(), opaque: false },
      autoPrefetch: false, ordering: [], indexed: [], builtin: true, writeHooks: false, updateHooks: false,
    };
    m.managers.set("objects", m.defaultManager);
    for (const f of ["id", ...concrete]) {
      m.fields.set(f, { name: f, kind: "concrete", fieldClass: "Field", owner: m, null: false, dbIndex: false, unique: f === "id", primaryKey: f === "id", big: false, file: "", start: 0, end: 0 });
    }
    return m;
  };
  const user = mk("auth", "User", ["password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined"]);
  const group = mk("auth", "Group", ["name"]);
  const perm = mk("auth", "Permission", ["name", "codename"]);
  const ct = mk("contenttypes", "ContentType", ["app_label", "model"]);
  const site = mk("sites", "Site", ["domain", "name"]);
  // Django's unique columns and sets: User.username, Group.name, Site.domain; (content_type, codename) and
  // (app_label, model).
  for (const [m, f] of [[user, "username"], [group, "name"], [site, "domain"]] as const) m.fields.get(f)!.unique = true;
  perm.unique = [["content_type", "codename"]];
  ct.unique = [["app_label", "model"]];
  const rel = (from: Model, name: string, kind: FieldKind, to: Model, reverse: string) => {
    const f: ModelField = { name, kind, fieldClass: kind === "fk" ? "ForeignKey" : "ManyToManyField", target: to, owner: from, null: false, dbIndex: kind === "fk", unique: false, primaryKey: false, big: false, file: "", start: 0, end: 0 };
    from.fields.set(name, f);
    to.fields.set(reverse, { ...f, name: reverse, kind: kind === "fk" ? "reverse-fk" : "reverse-m2m", target: from, owner: to, forward: f });
  };
  rel(user, "groups", "m2m", group, "user_set");
  rel(user, "user_permissions", "m2m", perm, "user_set");
  rel(group, "permissions", "m2m", perm, "group_set");
  rel(perm, "content_type", "fk", ct, "permission_set");
  return [user, group, perm, ct, site];
}

/** Where a file's app label comes from: the folder that holds models.py or the models/ package. */
export function appLabelOf(relPath: string): string {
  const parts = relPath.replace(/\\/g, "/").split("/");
  const i = parts.lastIndexOf("models");
  if (i > 0) return parts[i - 1];
  const j = parts.findIndex((p) => p === "models.py");
  if (j > 0) return parts[j - 1];
  return parts.length > 1 ? parts[parts.length - 2] : "";
}

export class ModelIndex {
  readonly models: Model[] = [];
  /**
   * Bumped when facts the index reads live (methods' parameter reads) change without a rebuild: results
   * computed from the index (flow, hints) must be recomputed, the index itself stands.
   */
  version = 0;
  private readonly bumpsBy = new Map<string, number>();

  /**
   * Records a change of facts read live. With `file`, the change is to classes the index built nothing from, and
   * that file's own analysis follows it by the names its statements use; other files' results are out of date.
   */
  bump(file: string | null): void {
    this.version++;
    if (file !== null) this.bumpsBy.set(file, (this.bumpsBy.get(file) ?? 0) + 1);
  }

  /** The version as far as `file`'s own analysis is concerned (its own attributed bumps left out). */
  versionFor(file: string): number {
    return this.version - (this.bumpsBy.get(file) ?? 0);
  }
  private byName = new Map<string, Model[]>();
  private byKey = new Map<string, Model>();
  /** The built-in auth.User, whose fields the abstract auth models give their subclasses. */
  private builtinUser!: Model;
  private classesByName = new Map<string, ClassFact[]>();
  private byBaseName: Map<string, ClassFact[]> | undefined;
  private factsByFile = new Map<string, FileFacts>();
  private factsByModule = new Map<string, FileFacts>();
  private modelOfClass = new Map<ClassFact, Model>();
  /** Classes the index built something from: models, and the managers and querysets whose methods it collected. */
  private readonly derived = new Set<ClassFact>();

  /**
   * Does the index hold anything computed from this class's body? When not, an edit that keeps the class's name,
   * bases and field-like assignments (which decide whether it is a model) can change it in place.
   */
  derivesFrom(c: ClassFact): boolean {
    return this.derived.has(c);
  }
  /** Lookup and ordering uses of concrete fields, keyed by the field's definition ("file:offset"). */
  private uses: Map<string, FieldUse[]> | null = null;

  /** Lookup and ordering uses, computed when first asked for (only missing-index needs them). */
  get fieldUses(): Map<string, FieldUse[]> {
    if (!this.uses) {
      this.uses = new Map();
      this.collectUses(this.rel);
    }
    return this.uses;
  }
  authUserModel = "auth.User";
  defaultPagination = false;
  /** Settings send mail through a queue (EMAIL_BACKEND of django-celery-email, post_office, ...). */
  queuedMail = false;
  restrictedDefaultPermissions = false;
  /** TEMPLATES' context processors named in the settings ("django.contrib.auth.context_processors.auth"). */
  contextProcessors = new Set<string>();
  /** Relative paths of files, for app labels. */
  constructor(private readonly files: Iterable<{ facts: FileFacts; relPath: string }>) {
    this.build();
  }

  factsOf(file: string): FileFacts | undefined {
    return this.factsByFile.get(file);
  }

  private rel = new Map<string, string>();

  /** After offsets moved in place in the facts (an edit that changed no structure): refresh what copies them. */
  private modelsByFile: Map<string, Model[]> | null = null;

  refreshPositions(file?: string): void {
    if (file && !this.modelsByFile) {
      this.modelsByFile = new Map();
      for (const m of this.models) {
        const files = new Set([m.file, ...[...m.fields.values()].map((f) => f.file)]);
        for (const f of files) {
          const list = this.modelsByFile.get(f) ?? [];
          list.push(m);
          this.modelsByFile.set(f, list);
        }
      }
    }
    for (const m of file ? this.modelsByFile!.get(file) ?? [] : this.models) {
      for (const f of m.fields.values()) {
        if (f.forward?.assign && !f.assign) continue;
        const src = f.forward && f.kind.startsWith("reverse") ? f.forward : f;
        if (src.assign) {
          f.start = src.assign.start;
          f.end = src.assign.end;
        } else if (f.name.endsWith("_ptr") && m.cls) {
          f.start = m.cls.nameStart;
          f.end = m.cls.nameEnd;
        }
      }
    }
    this.uses = null;
  }

  private build(): void {
    const rel = this.rel;
    for (const { facts, relPath } of this.files) {
      this.factsByFile.set(facts.file, facts);
      this.factsByModule.set(facts.module, facts);
      rel.set(facts.file, relPath);
      for (const c of facts.classes) {
        const list = this.classesByName.get(c.name) ?? [];
        list.push(c);
        this.classesByName.set(c.name, list);
      }
      if (facts.settings.authUserModel) this.authUserModel = facts.settings.authUserModel;
      if (facts.settings.defaultPagination) this.defaultPagination = true;
      if (facts.settings.queuedMail) this.queuedMail = true;
      if (facts.settings.restrictedPermissions) this.restrictedDefaultPermissions = true;
      for (const p of facts.settings.contextProcessors ?? []) this.contextProcessors.add(p);
    }
    for (const b of builtinModels()) this.add(b);
    this.builtinUser = this.models.find((m) => m.builtin && m.key === "auth.User")!;

    // An AppConfig's `label` names the models of its package (misago's "misago_users").
    const labels: { dir: string; label: string }[] = [];
    for (const list of this.classesByName.values()) {
      for (const c of list) {
        if (!c.bases.some((b) => /(^|\.)AppConfig$/.test(b))) continue;
        const label = c.assigns.find((a) => a.name === "label")?.value?.str;
        const relPath = (rel.get(c.file) ?? c.file).replace(/\\/g, "/");
        const dir = relPath.slice(0, relPath.lastIndexOf("/") + 1);
        if (label && /^\w+$/.test(label) && dir) labels.push({ dir, label });
      }
    }
    const configuredLabel = (relPath: string): string | undefined => {
      const p = relPath.replace(/\\/g, "/");
      let best: { dir: string; label: string } | undefined;
      for (const l of labels) if (p.startsWith(l.dir) && (!best || l.dir.length > best.dir.length)) best = l;
      return best?.label;
    };

    // 1. Which classes are models (fixpoint over bases).
    const isModel = new Map<ClassFact, boolean>();
    const status = (c: ClassFact, seen: Set<ClassFact>): boolean => {
      if (isModel.has(c)) return isModel.get(c)!;
      if (seen.has(c)) return false;
      seen.add(c);
      let result = false;
      for (const b of c.bases) {
        if (MODEL_BASES.has(b) || AUTO_PREFETCH_BASES.test(b) || this.authBase(c.file, b)) result = true;
        else {
          const base = this.resolveClass(c.file, b);
          if (base && status(base, seen)) result = true;
        }
      }
      // An unknown base (a third-party abstract model) with model fields in the body.
      if (!result && c.bases.length && c.assigns.some((a) => a.callee && this.isFieldCallee(a.callee)) && !c.bases.some((b) => /Serializer|Form|Filter|Admin|Inline|Schema|Type$/.test(b))) {
        result = c.bases.every((b) => !this.resolveClass(c.file, b)) && c.assigns.filter((a) => a.callee && /(^|\.)models\./.test(a.callee)).length > 0;
      }
      isModel.set(c, result);
      return result;
    };
    const modelClasses: ClassFact[] = [];
    for (const list of this.classesByName.values()) for (const c of list) if (status(c, new Set())) modelClasses.push(c);
    for (const c of modelClasses) this.derived.add(c);

    // 2. Create models with their own fields.
    for (const c of modelClasses) {
      const relPath = rel.get(c.file) ?? c.file;
      const app = c.meta.appLabel ?? configuredLabel(relPath) ?? appLabelOf(relPath);
      const m: Model = {
        key: `${app}.${c.name}`, name: c.name, app, file: c.file, cls: c, abstract: !!c.meta.abstract,
        complete: true, fields: new Map(), managers: new Map(),
        defaultManager: { name: "objects", shape: emptyShape(), methods: new Map(), opaque: false },
        autoPrefetch: c.fetchPeers || c.bases.some((b) => AUTO_PREFETCH_BASES.test(b)),
        polymorphic: c.bases.some((b) => /(^|\.)PolymorphicModel$/.test(b)),
        ordering: c.meta.ordering ?? [], indexed: [...c.meta.indexed], unique: [...(c.meta.unique ?? [])], builtin: false,
        writeHooks: c.methods.some((x) => x.name === "save" || x.name === "delete"),
        updateHooks: c.methods.some((x) => x.name === "save" && !x.newOnly),
      };
      this.modelOfClass.set(c, m);
      this.add(m);
    }
    // 3. Fields, inheritance, managers; bases first.
    const done = new Set<Model>();
    const finish = (m: Model, stack: Set<Model>) => {
      if (done.has(m) || stack.has(m) || !m.cls) return;
      stack.add(m);
      const c = m.cls;
      const modelBases: Model[] = [];
      // A base before the first known model base that may have a Meta of its own (an unresolved class).
      let metaUnknown = false;
      for (const b of c.bases) {
        if (MODEL_BASES.has(b)) continue;
        if (AUTO_PREFETCH_BASES.test(b)) continue;
        const auth = this.authBase(c.file, b);
        if (auth) {
          for (const name of auth) m.fields.set(name, { ...this.builtinUser.fields.get(name)!, owner: m });
          if (!modelBases.length) metaUnknown = true; // its Meta (no ordering) comes first
          continue;
        }
        const bc = this.resolveClass(c.file, b);
        const bm = bc ? this.modelOfClass.get(bc) : undefined;
        if (!bc && !modelBases.length) metaUnknown = true;
        if (!bm) {
          if (!bc || !this.isManagerOrMixin(bc)) m.complete = bc ? m.complete : false;
          continue;
        }
        finish(bm, stack);
        if (!bm.complete) m.complete = false;
        if (bm.autoPrefetch) m.autoPrefetch = true;
        if (bm.polymorphic) m.polymorphic = true;
        for (const [name, f] of bm.fields) {
          if (f.kind.startsWith("reverse")) continue;
          m.fields.set(name, bm.abstract ? { ...f, owner: m, assign: f.assign } : f);
        }
        for (const [name, mg] of bm.managers) if (!m.managers.has(name)) m.managers.set(name, mg);
        modelBases.push(bm);
        if (!bm.abstract) {
          const ptr = `${bm.name.toLowerCase()}_ptr`;
          const ptrField: ModelField = { name: ptr, kind: "o2o", fieldClass: "OneToOneField", target: bm, owner: m, null: false, dbIndex: true, unique: true, primaryKey: true, big: false, file: m.file, start: c.nameStart, end: c.nameEnd };
          m.fields.set(ptr, ptrField);
          // The parent reaches the child through a reverse one-to-one named after it (place.restaurant).
          const back = m.name.toLowerCase();
          if (!bm.fields.has(back)) bm.fields.set(back, { ...ptrField, name: back, kind: "reverse-o2o", target: m, owner: bm, forward: ptrField, primaryKey: false, file: m.file });
        }
      }
      this.inheritMeta(m, modelBases, metaUnknown);
      for (const a of c.assigns) {
        if (!a.callee) continue;
        const kind = this.fieldKindIn(c.file, a.callee);
        if (kind) {
          m.fields.set(a.name, this.makeField(m, a, kind));
        } else if (this.isManagerAssign(c.file, a)) {
          m.managers.set(a.name, this.makeManager(c.file, a));
        }
      }
      if (!c.assigns.some((a) => a.name === "id") && !m.fields.has("id") && ![...m.fields.values()].some((f) => f.primaryKey)) {
        m.fields.set("id", { name: "id", kind: "concrete", fieldClass: "AutoField", owner: m, null: false, dbIndex: true, unique: true, primaryKey: true, big: false, file: m.file, start: c.nameStart, end: c.nameEnd });
      }
      const declared = c.meta.defaultManagerName ? m.managers.get(c.meta.defaultManagerName) : undefined;
      const firstOwn = c.assigns.find((a) => m.managers.has(a.name));
      m.defaultManager = declared ?? (firstOwn ? m.managers.get(firstOwn.name)! : m.managers.values().next().value ?? m.defaultManager);
      if (!m.managers.has("objects") && !c.assigns.some((a) => m.managers.has(a.name))) m.managers.set("objects", m.defaultManager);
      const defaultAssign = c.assigns.find((a) => a.name === (c.meta.defaultManagerName ?? firstOwn?.name));
      if (defaultAssign) m.managerOrders = /(^|\.)TreeManager$/.test(defaultAssign.callee ?? "");
      else if (!modelBases.length) m.managerOrders = c.bases.some((b) => /(^|\.)MPTTModel$/.test(b));
      else m.managerOrders = modelBases.some((b) => b.managerOrders);
      if (m.defaultManager.shape?.batched) m.autoPrefetch = true;
      stack.delete(m);
      done.add(m);
    };
    for (const m of this.models) finish(m, new Set());

    // 4. Resolve relation targets and add reverse accessors.
    for (const m of this.models) {
      if (m.builtin) continue;
      for (const f of m.fields.values()) {
        if (f.owner !== m || !f.assign || f.kind === "concrete" || f.kind === "gfk") continue;
        f.target = this.resolveTarget(m, f.assign, f.file);
      }
    }
    // Multi-table children of each model (they inherit its reverse accessors).
    const concreteChildren = new Map<Model, Model[]>();
    for (const m of this.models) {
      for (const f of m.fields.values()) {
        if (f.name.endsWith("_ptr") && f.target && f.owner === m && !f.assign) {
          const list = concreteChildren.get(f.target) ?? [];
          list.push(m);
          concreteChildren.set(f.target, list);
        }
      }
    }
    for (const m of this.models) {
      if (m.builtin || m.abstract) continue;
      for (const f of m.fields.values()) {
        if (!f.target || !f.assign || !(f.kind === "fk" || f.kind === "o2o" || f.kind === "m2m")) continue;
        if (f.name.endsWith("_ptr") && !f.assign) continue;
        // A field a multi-table child inherits stays its parent's: the accessor leads to the parent's rows.
        if (f.owner !== m) continue;
        const rn = f.assign.kwargs["related_name"]?.str;
        if (rn !== undefined && rn.endsWith("+")) continue;
        if (f.kind === "m2m" && f.target === m && f.assign.kwargs["symmetrical"]?.bool !== false && f.assign.firstArg?.str === "self") continue;
        const accessor = rn !== undefined
          ? rn.replace(/%\(class\)s/g, m.name.toLowerCase()).replace(/%\(app_label\)s/g, m.app.toLowerCase())
          : f.kind === "o2o" ? m.name.toLowerCase() : `${m.name.toLowerCase()}_set`;
        const kind: FieldKind = f.kind === "fk" ? "reverse-fk" : f.kind === "o2o" ? "reverse-o2o" : "reverse-m2m";
        const targets = [f.target, ...(concreteChildren.get(f.target) ?? [])];
        for (const t of targets) {
          if (!t.fields.has(accessor)) t.fields.set(accessor, { ...f, name: accessor, kind, target: m, owner: t, forward: f, dbIndex: false, unique: false, primaryKey: false });
        }
        // The related query name (for lookups like Author.objects.filter(book__title=...)).
        const rqn = f.assign.kwargs["related_query_name"]?.str ?? (rn && !rn.includes("%(") ? rn : m.name.toLowerCase());
        if (rqn && rqn !== accessor) {
          const lookups = (f.target as Model & { lookups?: Map<string, ModelField> });
          lookups.lookups ??= new Map();
          lookups.lookups.set(rqn, { ...f, name: rqn, kind, target: m, owner: f.target, forward: f });
        }
      }
    }
    for (const m of this.models) if (!m.complete) m.writeHooks = m.updateHooks = true;
    // Does a class, or a base of it along the project's classes (by name), pass the test?
    const reaches = (c: ClassFact, seen: Set<ClassFact>, test: (k: ClassFact) => boolean): boolean => {
      if (seen.has(c)) return false;
      seen.add(c);
      if (test(c)) return true;
      return c.bases.some((b) => (this.classesByName.get(b.replace(/^.*\./, "")) ?? []).some((k) => reaches(k, seen, test)));
    };
    for (const facts of this.factsByFile.values()) {
      for (const sender of facts.signalSenders) {
        if (sender === "*") {
          for (const m of this.models) m.writeHooks = m.updateHooks = true;
          continue;
        }
        if (sender.startsWith("*:")) {
          // A receiver of every sender that acts only on instances of one class (and its subclasses).
          const name = sender.slice(2);
          for (const m of this.models) {
            const own = m.name === name || (m.cls && reaches(m.cls, new Set(), (k) => k.bases.some((b) => b.replace(/^.*\./, "") === name)));
            if (own) m.writeHooks = m.updateHooks = true;
          }
          continue;
        }
        if (sender === "@user") {
          const u = this.modelByRef(this.authUserModel);
          if (u) u.writeHooks = u.updateHooks = true;
          continue;
        }
        const m = sender.includes(".") && !/^[a-z_]+\.[A-Z]/.test(sender) ? this.modelFromName(facts.file, sender) : this.modelFromName(facts.file, sender) ?? this.modelByRef(sender);
        if (m) m.writeHooks = m.updateHooks = true;
      }
    }
    // A save() or delete() defined on an abstract base or a project mixin is the model's own.
    const hooked = (c: ClassFact, seen: Set<ClassFact>, own: (x: MethodFact) => boolean): boolean => reaches(c, seen, (k) => k.methods.some(own));
    for (const m of this.models) {
      if (!m.cls) continue;
      if (!m.writeHooks && hooked(m.cls, new Set(), (x) => x.name === "save" || x.name === "delete")) m.writeHooks = true;
      if (!m.updateHooks && hooked(m.cls, new Set(), (x) => x.name === "save" && !x.newOnly)) m.updateHooks = true;
    }
    // Children inherit their parents' hooks.
    for (const m of this.models) {
      for (const f of m.fields.values()) {
        if (!f.name.endsWith("_ptr") || !f.target) continue;
        if (f.target.writeHooks) m.writeHooks = true;
        if (f.target.updateHooks) m.updateHooks = true;
      }
    }
    this.addSqlIndexes();
  }

  /**
   * Indexes that migrations create in SQL (`RunSQL("CREATE INDEX ... ON group_status (group_id, status)")`), added to
   * the model whose table they are on (its `db_table`, or Django's `<app_label>_<model>`), by field name.
   */
  private addSqlIndexes(): void {
    const sql = [...this.factsByFile.values()].flatMap((f) => f.sqlIndexes ?? []);
    if (!sql.length) return;
    const byTable = new Map<string, Model>();
    for (const m of this.models) {
      if (m.builtin || m.abstract || !m.cls) continue;
      byTable.set((m.cls.meta.dbTable ?? `${m.app}_${m.name}`).toLowerCase(), m);
    }
    for (const ix of sql) {
      const m = byTable.get(ix.table.toLowerCase());
      if (!m) continue;
      const column = (c: string) => [...m.fields.values()].find((f) => f.kind !== "m2m" && !f.kind.startsWith("reverse") && (f.name === c || ((f.kind === "fk" || f.kind === "o2o") && `${f.name}_id` === c) || f.assign?.kwargs["db_column"]?.str === c))?.name;
      // The leading columns up to the first one no field names: only they are the index's prefix.
      const known: string[] = [];
      for (const c of ix.columns) {
        const name = column(c);
        if (!name) break;
        known.push(name);
      }
      if (known.length) m.indexed.push(known);
    }
  }

  /** Records which concrete fields are filtered or ordered on, outside tests and migrations. */
  private collectUses(rel: Map<string, string>): void {
    const record = (f: ModelField, use: FieldUse) => {
      if (!f.assign) return;
      const key = `${f.file}:${f.start}`;
      const list = this.uses!.get(key) ?? [];
      list.push(use);
      this.uses!.set(key, list);
    };
    // Functions other modules import: their callers there are not known, so a returned chain's in-file callers do
    // not speak for every use of it (LookupFact.callers).
    let imported: Set<string> | undefined;
    const importedElsewhere = (module: string, name: string) => (imported ??= new Set([...this.factsByFile.values()].flatMap((f) => Object.values(f.imports)))).has(`${module}.${name}`) || imported.has(module);
    for (const facts of this.factsByFile.values()) {
      if (TEST_OR_MIGRATION.test(rel.get(facts.file) ?? facts.file)) continue;
      for (let lk of facts.lookups) {
        if (lk.callers && lk.returnedBy && !importedElsewhere(facts.module, lk.returnedBy)) lk = { ...lk, chainKeys: [...lk.chainKeys, lk.callers] };
        const model = lk.root.startsWith("@rel:") ? this.modelByAccessor(lk.root.slice(5)) : this.modelFromName(facts.file, lk.root);
        if (!model) continue;
        // `Model.objects...` (no other manager named): the fields a package's default manager scopes it to.
        const scoped = !lk.unscoped && !lk.root.startsWith("@rel:") && !lk.chainKeys.some((k) => k.startsWith("%")) ? this.scopeKeys(model, "objects") : [];
        lk = { ...lk, chainKeys: [...this.expandMethodKeys(model, lk.chainKeys, lk.unscoped), ...scoped] };
        let via: string | undefined;
        if (lk.root.startsWith("@rel:")) {
          for (const m of this.models) {
            const f = m.fields.get(lk.root.slice(5));
            // Two parents with the same accessor to this model (`check.notification_set`, `channel.notification_set`):
            // the key is one of theirs, not known which.
            if (f?.target === model && f.forward && f.kind === "reverse-fk") via = via && via !== f.forward.name ? "**" : f.forward.name;
          }
          // Any other related manager (many-to-many either way) filters by an indexed key of its through table.
          via ??= "**";
        }
        // A page of rows in the model's default order: a use of Meta.ordering's leading column, with the query's own
        // conditions (an index on a foreign key it filters by finds its rows first).
        if (lk.kind === "rows") {
          const f = this.defaultOrderColumn(model);
          if (f) {
            record(f, { file: facts.file, start: lk.start, end: lk.end, kind: "order", key: `${model.name}.Meta.ordering`, siblings: [...lk.chainKeys, ...(via ? [via] : [])], root: model });
          }
          continue;
        }
        // Sorting every row read gains nothing from an index (as for Meta.ordering without a page).
        if (lk.kind === "order" && lk.whole) continue;
        // Only the leading ordering column is helped by a single-column index.
        for (const key of lk.kind === "order" ? lk.keys.slice(0, 1) : lk.keys) {
          const segs = key.split("__");
          let m: Model | undefined = model;
          for (let i = 0; i < segs.length && m; i++) {
            const f = this.lookupSegment(m, segs[i]);
            if (!f) break;
            if (f.kind === "concrete") {
              // Ordering by a transform or by an aggregate's default alias (`order_by("name__lower")`,
              // `annotate(Count("name")).order_by("name__count")`) is not ordering by the column.
              if (lk.kind === "order" && i < segs.length - 1) break;
              const lookup = lk.kind === "order" ? "exact" : segs[i + 1] ?? "exact";
              if (INDEXABLE_LOOKUPS.has(lookup) && !NOT_INDEX_USE.has(lookup)) {
                const siblings = [...(lk.chainKeys ?? lk.keys).filter((k) => k !== key), ...(via ? [via] : [])];
                const use: FieldUse = { file: facts.file, start: lk.start, end: lk.end, kind: lk.kind, key, siblings, root: model };
                if (lk.prunes) use.prunes = true;
                if (lk.bools && key in lk.bools) use.bool = lk.bools[key];
                if (lk.olderThanNow?.includes(key)) use.olderThanNow = true;
                record(f, use);
              }
              break;
            }
            if (i === segs.length - 1 || !f.target) break;
            m = f.target;
          }
        }
      }
    }
    // A Django list view's `ordering = "-created"` (MultipleObjectMixin.get_ordering) orders every page it shows;
    // with no `ordering`, the model's Meta.ordering does.
    // Only a view over a whole table: `model = X` or `queryset = X.objects.all()`, and no get_queryset() of its own.
    for (const facts of this.factsByFile.values()) {
      if (TEST_OR_MIGRATION.test(rel.get(facts.file) ?? facts.file)) continue;
      for (const c of facts.classes) {
        if (!c.bases.some((b) => DJANGO_LIST_VIEWS.test(b))) continue;
        if (c.methods.some((x) => x.name === "get_queryset")) continue;
        // A project base or mixin with its own get_queryset() may narrow the rows (to the user's, say).
        if (c.bases.some((b) => this.classes(b.replace(/^.*\./, "")).some((k) => k.methods.some((x) => x.name === "get_queryset")))) continue;
        // Without pages it reads every row, and sorting all of a table gains nothing from an index.
        if (!this.pagesRows(c, 0)) continue;
        const ordering = c.assigns.find((a) => a.name === "ordering");
        const modelAssign = c.assigns.find((a) => a.name === "model");
        const qsAssign = c.assigns.find((a) => a.name === "queryset");
        const name = modelAssign?.value?.dotted ?? (qsAssign?.callee && /\.objects\.all$/.test(qsAssign.callee) ? qsAssign.callee.slice(0, -".objects.all".length) : undefined);
        const model = name ? this.modelFromName(facts.file, name) : undefined;
        if (!model) continue;
        if (ordering) {
          const first = ordering.value?.str ?? ordering.value?.list?.[0];
          const f = first ? model.fields.get(first.replace(/^[-+?]/, "")) : undefined;
          if (f && f.kind === "concrete") record(f, { file: facts.file, start: ordering.start, end: ordering.end, kind: "order", key: `${c.name}.ordering`, siblings: [], root: model });
        } else if (modelAssign) {
          // (`queryset = X.objects.all()` is a page read the facts already hold.)
          const f = this.defaultOrderColumn(model);
          if (f) record(f, { file: facts.file, start: modelAssign.start, end: modelAssign.end, kind: "order", key: `${model.name}.Meta.ordering`, siblings: [], root: model });
        }
      }
    }
  }

  /** Does a list view (or a project base of it) set paginate_by, or define get_paginate_by()? */
  private pagesRows(c: ClassFact, depth: number): boolean {
    const by = c.assigns.find((a) => a.name === "paginate_by");
    // A number or a setting (`paginate_by = settings.PAGE_SIZE`); None or an expression: not known to page.
    if (by) return (by.value?.num ?? 0) > 0 || !!by.value?.dotted;
    if (c.methods.some((x) => x.name === "get_paginate_by")) return true;
    return depth < 6 && c.bases.some((b) => this.classes(b.replace(/^.*\./, "")).some((k) => k !== c && this.pagesRows(k, depth + 1)));
  }

  /**
   * A chain's filter keys with its project methods (`@released`) replaced by the filter keys their return reads
   * (`return self.filter(status="released")`); a method the index cannot read adds nothing.
   */
  private expandMethodKeys(model: Model, keys: readonly string[], unscoped = false): string[] {
    if (!keys.some((k) => k.startsWith("@") || k.startsWith("%"))) return keys as string[];
    const out: string[] = [];
    for (const k of keys) {
      if (k.startsWith("%")) {
        // The filters of a named manager's get_queryset() (`return super().get_queryset().filter(type="external")`).
        const gq = model.managers.get(k.slice(1))?.methods.get("get_queryset")?.returns;
        if (gq && gq.root !== "model") for (const op of gq.ops) out.push(...(op.filterKeys ?? []));
        if (!unscoped) out.push(...this.scopeKeys(model, k.slice(1)));
        continue;
      }
      if (!k.startsWith("@")) {
        out.push(k);
        continue;
      }
      out.push(...this.methodFilterKeys(model, k.slice(1), 0));
    }
    return out;
  }

  /**
   * A manager of a package built with the fields it scopes every query to (django-scopes' `objects =
   * ScopedManager(space="space")`): those fields, as filter keys of every chain through it. Each keyword's value must
   * be a lookup path that starts with a field of the model.
   */
  private scopeKeys(model: Model, manager: string): string[] {
    for (let c: ClassFact | undefined = model.cls ?? undefined, depth = 0; c && depth < 8; depth++) {
      const a = c.assigns.find((x) => x.name === manager);
      if (a) {
        if (!a.callee || this.resolveClass(c.file, a.callee.split(".")[0]) || !/Manager$/.test(a.callee)) return [];
        const paths = Object.values(a.kwargs).map((v) => v.str);
        return paths.length && paths.every((p) => !!p && model.fields.has(p.split("__")[0])) ? (paths as string[]) : [];
      }
      // An abstract base may declare it.
      const base = c.bases.map((b) => this.resolveClass(c!.file, b)).find((x) => x && this.modelOfClass.get(x)?.abstract);
      c = base ?? undefined;
    }
    return [];
  }

  /**
   * The filter keys a project manager or QuerySet method's returned chain adds, following the project methods in that
   * chain (`on_site()` on the manager returning `self.get_queryset().on_site(site)`, the QuerySet's own `on_site()`
   * filtering by site). "**" (unsure: taken as narrowed) when a method cannot be read: not found (a package's), a
   * return that is not a chain, or one that hands on to a method of the same name the index does not hold apart.
   */
  private methodFilterKeys(model: Model, name: string, depth: number): string[] {
    const mgr = [model.defaultManager, ...model.managers.values()].find((m) => m.methods.has(name));
    if (!mgr) return model.defaultManager.opaque || [...model.managers.values()].some((m) => m.opaque) ? ["**"] : [];
    const ret = mgr.methods.get(name)?.returns;
    if (!ret) return ["**"];
    if (ret.root === "model") return [];
    const out: string[] = [];
    for (const op of ret.ops) {
      out.push(...(op.filterKeys ?? []));
      if (QUERYSET_API.has(op.method) || op.method.startsWith("_")) continue;
      out.push(...(op.method === name || depth >= 3 ? ["**"] : this.methodFilterKeys(model, op.method, depth + 1)));
    }
    return out;
  }

  /** The column leading a concrete model's Meta.ordering, when it is one of its own concrete fields. */
  private defaultOrderColumn(m: Model): ModelField | undefined {
    const head = m.ordering[0]?.replace(/^[-?]/, "");
    const f = head && !m.abstract ? m.fields.get(head) : undefined;
    return f?.kind === "concrete" ? f : undefined;
  }

  private add(m: Model): void {
    this.models.push(m);
    const list = this.byName.get(m.name) ?? [];
    list.push(m);
    this.byName.set(m.name, list);
    this.byKey.set(m.key.toLowerCase(), m);
  }



  fieldKind(callee: string): FieldKind | null {
    const last = lastPart(callee);
    if (RELATIONS[last]) return RELATIONS[last];
    if (/Field$/.test(last) && !/^(Serializer|Form|Model)/.test(last) && !/(^|\.)(serializers|forms|filters)\./.test(callee)) return "concrete";
    return null;
  }

  /**
   * fieldKind, following a field class of the project to the Django class it extends: a
   * `PlaceholderRelationField(GenericRelation)` is a relation with no column of its own, not a concrete field, and an
   * `UnsavedForeignKey(models.ForeignKey)` a foreign key.
   */
  private fieldKindIn(file: string, callee: string): FieldKind | null {
    const kind = this.fieldKind(callee);
    if (kind === null ? !/^[A-Z]/.test(lastPart(callee)) : kind !== "concrete" || RELATIONS[lastPart(callee)]) return kind;
    const seen = new Set<ClassFact>();
    // A name that does not say Field (shuup's `UnsavedForeignKey(models.ForeignKey)`) is a field when a base is one.
    const walk = (f: string, name: string): FieldKind | null => {
      const c = this.resolveClass(f, name);
      if (!c || seen.has(c) || seen.size > 8) return null;
      seen.add(c);
      for (const b of c.bases) {
        const r = RELATIONS[lastPart(b)] ?? walk(c.file, b) ?? (kind === null && this.fieldKind(b) === "concrete" ? "concrete" : null);
        if (r) return r;
      }
      return null;
    };
    return walk(file, callee) ?? kind;
  }

  private isFieldCallee(callee: string): boolean {
    return this.fieldKind(callee) !== null;
  }

  /**
   * The options a field class of the project fixes (`super().__init__(unique=True, ...)`) or defaults
   * (`kwargs.setdefault("db_index", True)`) in its `__init__`, along its bases; the nearest class wins.
   */
  private initOptions(file: string, callee: string): { forced: Record<string, boolean>; defaults: Record<string, boolean> } {
    const forced: Record<string, boolean> = {};
    const defaults: Record<string, boolean> = {};
    const seen = new Set<ClassFact>();
    const visit = (f: string, name: string) => {
      const c = this.resolveClass(f, name);
      if (!c || seen.has(c) || seen.size > 8) return;
      seen.add(c);
      const init = c.methods.find((x) => x.name === "__init__");
      for (const [k, v] of Object.entries(init?.forces ?? {})) if (!(k in forced)) forced[k] = v;
      for (const [k, v] of Object.entries(init?.defaults ?? {})) if (!(k in defaults)) defaults[k] = v;
      for (const b of c.bases) visit(c.file, b);
    };
    visit(file, callee);
    return { forced, defaults };
  }

  private makeField(m: Model, a: AssignFact, kind: FieldKind): ModelField {
    const last = lastPart(a.callee!);
    // Options fixed by a project field class win over the call's (its __init__ passes its own to Django); those it
    // only defaults give way to them.
    const { forced, defaults } = this.classesByName.has(last) ? this.initOptions(m.file, a.callee!) : { forced: {}, defaults: {} };
    const opt = (k: string) => forced[k] ?? a.kwargs[k]?.bool ?? defaults[k];
    return {
      name: a.name, kind, fieldClass: a.callee!, owner: m, assign: a,
      null: opt("null") === true,
      dbIndex: opt("db_index") ?? (kind === "fk" || kind === "o2o"),
      unique: opt("unique") === true || kind === "o2o" || opt("primary_key") === true,
      primaryKey: opt("primary_key") === true,
      // A TextField with choices is an enumeration (a task's state, a one-letter code), not a big column.
      big: BIG_FIELDS.test(last) && !(last === "TextField" && a.kwargs["choices"]),
      file: m.file, start: a.start, end: a.end,
    };
  }

  /**
   * Meta options a model inherits (Django's ModelBase): without a Meta of its own, the first model base's Meta (an
   * abstract base's ordering and indexes; a concrete parent's ordering). Its own Meta replaces an abstract base's
   * unless it subclasses it (`class Meta(Base.Meta)`); a concrete parent still gives its ordering when that Meta
   * sets none. When a base that might carry a Meta comes before the first known model base, the ordering is unknown
   * (none is assumed, so no hint rests on it).
   */
  private inheritMeta(m: Model, bases: readonly Model[], firstUnknown: boolean): void {
    const meta = m.cls!.meta;
    if (!meta.declared && firstUnknown) {
      // The Meta in effect may be an unknown base's: no ordering is known, and every known index may be there.
      for (const b of bases) if (b.abstract) {
        m.indexed.push(...b.indexed);
        (m.unique ??= []).push(...(b.unique ?? []));
      }
      return;
    }
    const first = bases[0];
    const parent = first && !first.abstract ? first : undefined;
    const metaFrom = !meta.declared ? (first?.abstract ? [first] : []) : meta.bases?.length ? bases.filter((b) => b.abstract) : [];
    if (meta.ordering === undefined) {
      m.ordering = metaFrom.find((b) => b.ordering.length)?.ordering ?? parent?.ordering ?? [];
    }
    for (const b of metaFrom) {
      m.indexed.push(...b.indexed);
      (m.unique ??= []).push(...(b.unique ?? []));
    }
  }

  /**
   * The fields a base gives when it is one of django.contrib.auth's abstract models (AbstractUser, ...), imported
   * from django.contrib.auth (a project class of the same name is another class).
   */
  private authBase(file: string, base: string): readonly string[] | undefined {
    const fields = AUTH_BASES[lastPart(base)];
    return fields && this.fromDjangoAuth(file, base) ? fields : undefined;
  }

  /** Is the base (`AbstractUser`, `auth_models.UserManager`) imported from django.contrib.auth in that file? */
  private fromDjangoAuth(file: string, base: string): boolean {
    return !!this.factsByFile.get(file)?.imports[base.split(".")[0]]?.startsWith("django.contrib.auth");
  }

  /**
   * django.contrib.auth's managers (UserManager, BaseUserManager), imported from there: managers whose
   * get_queryset() is Manager's, with only user-creation helpers added.
   */
  private authManagerBase(file: string, base: string): boolean {
    return AUTH_MANAGERS.has(lastPart(base)) && this.fromDjangoAuth(file, base);
  }

  private isManagerOrMixin(c: ClassFact): boolean {
    return !c.assigns.some((a) => a.callee && this.isFieldCallee(a.callee));
  }

  private managerClass(file: string, dottedName: string): ClassFact | undefined {
    const c = this.resolveClass(file, dottedName);
    return c;
  }

  private isManagerClass(c: ClassFact, depth = 0): boolean {
    if (depth > 10) return false;
    // A base the project does not define, named like a manager: a package's (model_utils' InheritanceManager,
    // django-polymorphic's PolymorphicManager).
    return c.bases.some((b) => MANAGER_BASES.test(b) || this.authManagerBase(c.file, b) || /from_queryset\(/.test(b) || (() => {
      const bc = this.resolveClass(c.file, b);
      return bc ? this.isManagerClass(bc, depth + 1) : /(^|\.)\w*Manager$/.test(b);
    })());
  }

  private isQuerySetClass(c: ClassFact, depth = 0): boolean {
    if (depth > 10) return false;
    return c.bases.some((b) => QUERYSET_BASES.test(b) || (() => {
      const bc = this.resolveClass(c.file, b);
      return !!bc && this.isQuerySetClass(bc, depth + 1);
    })());
  }

  private isManagerAssign(file: string, a: AssignFact): boolean {
    const callee = a.callee!;
    if (callee.endsWith(".as_manager") || callee.endsWith(".from_queryset")) return true;
    if (MANAGER_BASES.test(callee)) return true;
    const c = this.managerClass(file, callee);
    if (c) return this.isManagerClass(c);
    return /Manager$/.test(callee);
  }

  /** Methods (and get_queryset's shape) of a manager or queryset class, following its bases. */
  private collectMethods(c: ClassFact, into: Map<string, MethodFact>, depth = 0): boolean {
    if (depth > 10) return true;
    this.derived.add(c);
    let known = true;
    for (const m of c.methods) if (!into.has(m.name)) into.set(m.name, m);
    for (const b of c.bases) {
      const fq = /from_queryset\((.+)\)$/.exec(b);
      if (fq) {
        const qc = this.resolveClass(c.file, fq[1]);
        if (qc) known = this.collectMethods(qc, into, depth + 1) && known;
        else known = false;
        continue;
      }
      if (MANAGER_BASES.test(b) || QUERYSET_BASES.test(b) || this.authManagerBase(c.file, b)) continue;
      const bc = this.resolveClass(c.file, b);
      if (bc) known = this.collectMethods(bc, into, depth + 1) && known;
      else if (!PLAIN_PACKAGE_MANAGERS.test(b)) known = false;
    }
    return known;
  }

  /**
   * get_queryset()'s shape as manager class `c` defines or inherits it, `super().get_queryset()` included (a base
   * manager's joins stay under the subclass's own). Undefined when no class of the project defines it (Django's own
   * or a package's manager: nothing joined that is known); null when one cannot be read.
   */
  private querysetShapeOf(c: ClassFact, depth = 0): QsShape | null | undefined {
    if (depth > 10) return null;
    const own = c.methods.find((m) => m.name === "get_queryset");
    if (!own) return this.inheritedQuerysetShape(c, depth);
    const r = own.returns;
    if (!r || r.root === "model") return null;
    let base: QsShape | null = emptyShape();
    if (r.root === "super") {
      const up = this.inheritedQuerysetShape(c, depth);
      if (up === null) return null;
      if (up) base = up;
    }
    return applyOpsToShape(base, r.ops);
  }

  private inheritedQuerysetShape(c: ClassFact, depth: number): QsShape | null | undefined {
    for (const b of c.bases) {
      if (MANAGER_BASES.test(b) || QUERYSET_BASES.test(b) || this.authManagerBase(c.file, b) || /from_queryset\(/.test(b)) return undefined;
      const bc = this.resolveClass(c.file, b);
      if (!bc) continue;
      const s = this.querysetShapeOf(bc, depth + 1);
      if (s !== undefined) return s;
    }
    return undefined;
  }

  private makeManager(file: string, a: AssignFact): Manager {
    const methods = new Map<string, MethodFact>();
    let opaque = false;
    const callee = a.callee!;
    let managerClass: ClassFact | undefined;
    const querysetMethods = new Set<string>();
    const addQs = (name: string | null) => {
      const qc = name ? this.resolveClass(file, name) : undefined;
      if (qc && this.isQuerySetClass(qc)) {
        const own = new Map<string, MethodFact>();
        opaque = !this.collectMethods(qc, own) || opaque;
        for (const [k, v] of own) {
          querysetMethods.add(k);
          if (!methods.has(k)) methods.set(k, v);
        }
      } else opaque = true;
    };
    if (callee.endsWith(".as_manager")) addQs(callee.slice(0, -".as_manager".length));
    else if (callee.endsWith(".from_queryset")) {
      const mc = this.resolveClass(file, callee.slice(0, -".from_queryset".length));
      if (mc) opaque = !this.collectMethods(mc, methods) || opaque;
      else if (!MANAGER_BASES.test(callee.slice(0, -".from_queryset".length))) opaque = true;
      addQs(a.fromQueryset);
    } else if (!MANAGER_BASES.test(callee)) {
      const mc = this.resolveClass(file, callee);
      if (mc) opaque = !this.collectMethods(mc, methods);
      else opaque = !PLAIN_PACKAGE_MANAGERS.test(callee);
      managerClass = mc;
    }
    let shape: QsShape | null = emptyShape();
    const gq = methods.get("get_queryset");
    const inherited = managerClass ? this.querysetShapeOf(managerClass) : undefined;
    if (inherited !== undefined) shape = inherited;
    else if (gq) {
      shape = gq.returns && gq.returns.root !== "model" ? applyOpsToShape(emptyShape(), gq.returns.ops) : null;
    } else if (opaque) shape = null;
    return { name: a.name, shape, methods, opaque, querysetMethods };
  }

  private resolveTarget(m: Model, a: AssignFact, file: string): Model | undefined {
    const t = a.firstArg ?? a.kwargs["to"];
    if (!t) return undefined;
    if (t.str !== undefined) {
      if (t.str === "self") return m;
      return this.modelByRef(t.str, m.app, file);
    }
    if (t.dotted) {
      if (/(^|\.)AUTH_USER_MODEL$/.test(t.dotted)) return this.modelByRef(this.authUserModel, m.app, file);
      const c = this.resolveClass(file, t.dotted);
      if (c) return this.modelOfClass.get(c);
      return this.modelByRef(lastPart(t.dotted), m.app, file);
    }
    return undefined;
  }

  /** "app.Model" or "Model" (same app first). */
  modelByRef(ref: string, app?: string, file?: string): Model | undefined {
    if (ref.includes(".")) {
      const byKey = this.byKey.get(ref.toLowerCase());
      if (byKey) return byKey;
      const [refApp, name] = [ref.slice(0, ref.lastIndexOf(".")), lastPart(ref)];
      const cands = (this.byName.get(name) ?? []).filter((x) => x.app.toLowerCase() === lastPart(refApp).toLowerCase());
      return cands.length === 1 ? cands[0] : undefined;
    }
    const cands = this.byName.get(ref) ?? [];
    if (cands.length === 1) return cands[0];
    const sameFile = cands.filter((x) => x.file === file);
    if (sameFile.length === 1) return sameFile[0];
    const sameApp = cands.filter((x) => x.app === app && !x.builtin);
    return sameApp.length === 1 ? sameApp[0] : undefined;
  }

  /** Resolves a (possibly dotted) class name as seen from a file: local classes, then imports, then unique name. */
  resolveClass(file: string, name: string): ClassFact | undefined {
    const facts = this.factsByFile.get(file);
    // `from x import Author as Writer`: look the class up by its real name.
    const aliased = !name.includes(".") ? facts?.imports[name] : undefined;
    const simple = aliased && !this.classesByName.get(name)?.some((c) => c.file === file) ? lastPart(aliased) : lastPart(name);
    const cands = this.classesByName.get(simple);
    if (!cands?.length) return undefined;
    if (!name.includes(".")) {
      const local = cands.find((c) => c.file === file);
      if (local) return local;
    }
    const head = name.split(".")[0];
    const imported = facts?.imports[name.includes(".") ? head : name];
    if (imported) {
      const target = name.includes(".") ? `${imported}${name.slice(head.length)}` : imported;
      const mod = target.slice(0, target.lastIndexOf("."));
      const inModule = cands.filter((c) => {
        const f = this.factsByFile.get(c.file);
        return f && (f.module === mod || f.module.endsWith(`.${mod}`) || mod.endsWith(`.${f.module}`) || f.module.startsWith(`${mod}.`));
      });
      if (inModule.length === 1) return inModule[0];
      if (inModule.length > 1) {
        // `import models` / `from . import models`: the module next to the importing file wins.
        const pkg = facts ? facts.module.slice(0, facts.module.lastIndexOf(".")) : "";
        const near = inModule.filter((c) => this.factsByFile.get(c.file)?.module.startsWith(`${pkg}.`));
        return near.length === 1 ? near[0] : undefined;
      }
      // Imported from a package outside the workspace (`from rest_framework import generics as drf`, then
      // `drf.ListCreateAPIView` in a project class of the same name): not the project's class.
      if (!this.isProjectPackage(mod.split(".")[0])) return undefined;
    }
    return cands.length === 1 ? cands[0] : undefined;
  }

  private projectPackages: Set<string> | undefined;

  /** Is `top` the first part of a workspace module's dotted name, or of a part of one? */
  private isProjectPackage(top: string): boolean {
    if (!this.projectPackages) {
      this.projectPackages = new Set();
      for (const m of this.factsByModule.keys()) for (const part of m.split(".")) this.projectPackages.add(part);
    }
    return this.projectPackages.has(top);
  }

  /** The model a name refers to, as seen from a file (class name, possibly dotted). */
  modelFromName(file: string, name: string): Model | undefined {
    const imp = this.factsByFile.get(file)?.imports[name];
    if (imp?.startsWith("@model:")) return this.modelByRef(imp.slice(7));
    if (name === "User" || /get_user_model\(\)$/.test(name)) {
      const c = this.resolveClass(file, name);
      if (c) return this.modelOfClass.get(c);
      const facts = this.factsByFile.get(file);
      if (name === "User" && facts?.imports["User"]?.startsWith("django.contrib.auth")) return this.modelByRef(this.authUserModel);
      if (name !== "User") return this.modelByRef(this.authUserModel);
    }
    const c = this.resolveClass(file, name);
    if (c) return this.modelOfClass.get(c);
    // Django's own models, imported from their modules: `from django.contrib.auth.models import Group`.
    const builtin = BUILTIN_IMPORTS[this.factsByFile.get(file)?.imports[name] ?? ""];
    return builtin ? this.modelByRef(builtin) : undefined;
  }

  modelOf(c: ClassFact): Model | undefined {
    return this.modelOfClass.get(c);
  }

  /**
   * The name a query uses for a relation (`Count("book")`, `filter(book__title=...)`): for a reverse relation its
   * related_query_name, else its related_name, else the related model's name in lower case; not the accessor
   * (`book_set`), which only prefetch_related() and attribute access take.
   */
  queryName(f: ModelField): string {
    if (!f.kind.startsWith("reverse") || !f.forward?.assign || !f.target) return f.name;
    const kw = f.forward.assign.kwargs;
    const rn = kw["related_name"]?.str;
    const sub = (x: string) => x.replace(/%\(class\)s/g, f.target!.name.toLowerCase()).replace(/%\(app_label\)s/g, f.target!.app.toLowerCase());
    const rqn = kw["related_query_name"]?.str;
    if (rqn) return sub(rqn);
    return rn && !rn.endsWith("+") ? sub(rn) : f.target.name.toLowerCase();
  }

  private lookupTables = new Map<Model, boolean>();

  /**
   * A multi-table inheritance child (`class Restaurant(Place)` with Place concrete): its primary key is the
   * one-to-one `place_ptr`. Django's bulk_create() raises ValueError on such a model.
   */
  isMultiTableChild(m: Model): boolean {
    for (const f of m.fields.values()) if (f.kind === "o2o" && f.primaryKey && f.owner === m && f.target && !f.target.abstract && f.name.endsWith("_ptr")) return true;
    return false;
  }

  /**
   * A lookup or configuration table: no foreign key or one-to-one of its own (nor an `*_id` integer standing in for
   * one) and no date or time column. Ranks, roles, menu items, units, languages, providers: rows that people type
   * in through an admin or load from fixtures, not rows that traffic writes, so the table stays small. Of Django's
   * own models: groups, permissions, content types and sites. Never the user model, whatever its own fields.
   */
  isLookupTable(m: Model): boolean {
    let known = this.lookupTables.get(m);
    if (known === undefined) {
      known = this.computeLookupTable(m);
      this.lookupTables.set(m, known);
    }
    return known;
  }

  private computeLookupTable(m: Model): boolean {
    if (m.builtin) return /^(auth\.(group|permission)|contenttypes\.contenttype|sites\.site)$/.test(m.key.toLowerCase());
    if (m === this.modelByRef(this.authUserModel)) return false;
    for (const f of m.fields.values()) {
      if (f.kind === "fk" || f.kind === "o2o" || f.kind === "gfk") return false;
      if (f.kind === "concrete" && (ANY_TIME_FIELD.test(f.fieldClass) || (/_id$/.test(f.name) && /IntegerField$/.test(f.fieldClass)))) return false;
    }
    const seen = new Set<ClassFact>();
    const userBase = (c: ClassFact | undefined): boolean => {
      if (!c || seen.has(c)) return false;
      seen.add(c);
      return c.bases.some((b) => USER_BASES.test(b) || userBase(this.resolveClass(c.file, b) ?? undefined));
    };
    return !userBase(m.cls ?? undefined);
  }

  /** A field, relation or reverse accessor by attribute name. */
  attribute(m: Model, name: string): ModelField | undefined {
    return m.fields.get(name);
  }

  /** A lookup-path segment (field name, reverse query name, or attname). */
  lookupSegment(m: Model, name: string): ModelField | undefined {
    const f = m.fields.get(name);
    if (f) return f;
    const l = (m as Model & { lookups?: Map<string, ModelField> }).lookups?.get(name);
    if (l) return l;
    for (const x of m.fields.values()) if ((x.kind === "fk" || x.kind === "o2o") && `${x.name}_id` === name) return x;
    return undefined;
  }

  concreteFields(m: Model): ModelField[] {
    return [...m.fields.values()].filter((f) => f.kind === "concrete" || f.kind === "fk" || f.kind === "o2o");
  }

  /** Concrete fields defined in a file, with every non-abstract model that has them (for missing-index). */
  fieldsDefinedIn(file: string): { field: ModelField; owners: Model[] }[] {
    if (!this.fieldsByFile) {
      this.fieldsByFile = new Map();
      const byKey = new Map<string, { field: ModelField; owners: Model[] }>();
      for (const m of this.models) {
        if (m.builtin) continue;
        for (const f of m.fields.values()) {
          if (f.kind !== "concrete" || !f.assign) continue;
          const key = `${f.file}:${f.assign.start}:${f.assign.name}`;
          let entry = byKey.get(key);
          if (!entry) {
            entry = { field: f, owners: [] };
            byKey.set(key, entry);
            const list = this.fieldsByFile.get(f.file) ?? [];
            list.push(entry);
            this.fieldsByFile.set(f.file, list);
          }
          // The field as its abstract base declares it (not a child's copy), so it is named after the base.
          if (m.abstract && !entry.field.owner.abstract) entry.field = f;
          if (!m.abstract) entry.owners.push(m);
        }
      }
    }
    return this.fieldsByFile.get(file) ?? [];
  }
  private fieldsByFile: Map<string, { field: ModelField; owners: Model[] }[]> | null = null;

  /** The model a many-valued accessor name (flip_set, related_name) leads to, when only one model has it. */
  modelByAccessor(name: string): Model | undefined {
    if (!this.accessorTargets) {
      this.accessorTargets = new Map();
      for (const m of this.models) {
        for (const f of m.fields.values()) {
          if (!f.target || !(f.kind === "reverse-fk" || f.kind === "m2m" || f.kind === "reverse-m2m")) continue;
          const set = this.accessorTargets.get(f.name) ?? new Set<Model>();
          set.add(f.target);
          this.accessorTargets.set(f.name, set);
        }
      }
    }
    const set = this.accessorTargets.get(name);
    return set && set.size === 1 ? [...set][0] : undefined;
  }
  private accessorTargets: Map<string, Set<Model>> | null = null;

  /** A method of a model class or of its model bases (abstract or concrete), by name. */
  methodOf(m: Model, name: string): MethodFact | undefined {
    return this.methodWithFile(m, name)?.method;
  }

  /** methodOf, with the file of the class that defines the method. */
  methodWithFile(m: Model, name: string, depth = 0): { method: MethodFact; file: string } | undefined {
    if (!m.cls || depth > 8) return undefined;
    const own = m.cls.methods.find((x) => x.name === name);
    if (own) return { method: own, file: m.cls.file };
    for (const b of m.cls.bases) {
      const bc = this.resolveClass(m.cls.file, b);
      const bm = bc ? this.modelOfClass.get(bc) : undefined;
      if (bm) {
        const found = this.methodWithFile(bm, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  /**
   * What reading `step` on an instance of `m` reads on self, when the step runs a method of the model: a property
   * (`obj.label`) or a call with no other arguments (`obj.owner_name()`). Undefined for anything else.
   */
  selfReads(m: Model, step: string): MethodFact["reads"][number] | undefined {
    const called = step.endsWith("()");
    const meth = this.methodOf(m, called ? step.slice(0, -2) : step);
    if (!meth || meth.params.length > 1) return undefined;
    if (!called && !meth.decorators.some((d) => /(^|\.)(cached_)?property$/.test(d))) return undefined;
    return meth.reads[0] ?? [];
  }

  classes(name: string): ClassFact[] {
    return this.classesByName.get(name) ?? [];
  }

  /** Every class of the workspace. */
  *allClasses(): IterableIterator<ClassFact> {
    for (const list of this.classesByName.values()) yield* list;
  }

  /** The dotted module of a workspace file (`shop/api/pagination.py`: "shop.api.pagination"). */
  moduleOfFile(file: string): string | undefined {
    return this.factsByFile.get(file)?.module;
  }

  /** Does the relation path from `model` join a polymorphic model (where select_related would lose subclasses)? */
  joinsPolymorphic(model: Model, path: string[]): boolean {
    let m: Model | undefined = model;
    for (const seg of path) {
      const f: ModelField | undefined = m ? this.attribute(m, seg) : undefined;
      m = f?.target;
      if (!m) return false;
      if (m.polymorphic) return true;
    }
    return false;
  }

  /** Classes with a base written `name` or `something.name`. */
  subclassesOf(name: string): ClassFact[] {
    if (!this.byBaseName) {
      // Built on first use: a scan of every class per asking class grew with the project squared.
      this.byBaseName = new Map();
      for (const list of this.classesByName.values()) {
        for (const c of list) {
          for (const simple of new Set(c.bases.map(lastPart))) {
            const l = this.byBaseName.get(simple);
            if (l) l.push(c);
            else this.byBaseName.set(simple, [c]);
          }
        }
      }
    }
    return this.byBaseName.get(name) ?? [];
  }
}
