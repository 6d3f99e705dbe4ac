/** Small, allocation-light helpers over the Syntax snapshot. */
import type { SyntaxNode } from "./parser";
import type { RuleContext } from "./rule";

export function nodeText(text: string, node: SyntaxNode): string {
  return text.slice(node.start, node.end);
}

export function field(node: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const c of node.children) if (c.field === name) return c;
  return undefined;
}

export function fields(node: SyntaxNode, name: string): SyntaxNode[] {
  return node.children.filter((c) => c.field === name);
}

export function firstOfType(node: SyntaxNode, type: string): SyntaxNode | undefined {
  for (const c of node.children) if (c.type === type) return c;
  return undefined;
}

/**
 * The operator of a two-operand expression (`a | b`, `x and y`, `k == "v"`, `k not in d`): the text between its
 * operands, spaces trimmed and collapsed; "" when it has not two.
 */
export function operatorOf(text: string, node: SyntaxNode): string {
  const [a, b] = node.children.filter((c) => c.type !== "comment");
  return a && b ? text.slice(a.end, b.start).replace(/\s+/g, " ").trim() : "";
}

/** What an `except` clause catches (`X.DoesNotExist`, `(A, B) as e`); null for a bare `except:`. */
export function caughtBy(clause: SyntaxNode): SyntaxNode | null {
  return clause.children.find((c) => c.type !== "block" && c.type !== "comment") ?? null;
}

/** The expression inside any parentheses around it (`((qs))` -> `qs`). */
export function strip(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === "parenthesized_expression" && n.children.length === 1) n = n.children[0];
  return n;
}

/** The arms of a `|` chain (`a | (b | c)` -> a, b, c), through parentheses; the expression alone for anything else. */
export function orOperands(text: string, node: SyntaxNode, into: SyntaxNode[] = []): SyntaxNode[] {
  const n = strip(node);
  const [l, r] = [field(n, "left"), field(n, "right")];
  if (n.type === "binary_operator" && l && r && operatorOf(text, n) === "|") {
    orOperands(text, l, into);
    orOperands(text, r, into);
  } else into.push(n);
  return into;
}

/** Pre-order walk; return false from visit to skip a node's children. */
export function walk(node: SyntaxNode, visit: (n: SyntaxNode) => boolean | void): void {
  const stack: SyntaxNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (visit(n) === false) continue;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
}

/**
 * Walks the top-level statements a rule examines (see RuleContext.examine), each inside its `examine`: after an
 * edit, the statements it cannot have changed keep their reports from the last analysis and are not walked.
 */
export function walkExamined(ctx: Pick<RuleContext, "syntax" | "examine">, visit: (n: SyntaxNode) => boolean | void): void {
  for (const s of ctx.syntax.root.children) ctx.examine(s, () => walk(s, visit));
}

/** "a.b.c" for identifier/attribute chains, else null. */
export function dotted(text: string, node: SyntaxNode | undefined): string | null {
  const parts: string[] = [];
  let n = node;
  while (n && n.type === "attribute") {
    const attr = field(n, "attribute");
    if (!attr) return null;
    parts.push(nodeText(text, attr));
    n = field(n, "object");
  }
  if (!n || n.type !== "identifier") return null;
  parts.push(nodeText(text, n));
  return parts.reverse().join(".");
}

/** The value of a plain string literal ('x', "x", r"x", """x"""), or null for f-strings and anything else. */
export function stringValue(text: string, node: SyntaxNode | undefined): string | null {
  if (!node) return null;
  if (node.type === "concatenated_string") {
    let out = "";
    for (const c of node.children) {
      const v = stringValue(text, c);
      if (v === null) return null;
      out += v;
    }
    return out;
  }
  if (node.type !== "string") return null;
  const raw = nodeText(text, node);
  const m = /^([rRbBuU]{0,2})('''|"""|'|")/.exec(raw);
  if (!m || /[fF]/.test(m[1])) return null;
  const quote = m[2];
  if (!raw.endsWith(quote) || raw.length < m[0].length + quote.length) return null;
  return raw.slice(m[0].length, raw.length - quote.length);
}

export interface CallParts {
  func: SyntaxNode;
  args: SyntaxNode[];
  kwargs: Map<string, SyntaxNode>;
  /** *args / **kwargs present: the call's arguments are not fully known. */
  splat: boolean;
  argList: SyntaxNode | undefined;
}

export function callParts(text: string, call: SyntaxNode): CallParts | null {
  if (call.type !== "call") return null;
  const func = field(call, "function");
  if (!func) return null;
  const argList = field(call, "arguments");
  const args: SyntaxNode[] = [];
  const kwargs = new Map<string, SyntaxNode>();
  let splat = false;
  if (argList && argList.type === "argument_list") {
    for (const a of argList.children) {
      if (a.type === "keyword_argument") {
        const name = field(a, "name");
        const value = field(a, "value");
        if (name && value) kwargs.set(nodeText(text, name), value);
      } else if (a.type === "list_splat" || a.type === "dictionary_splat") {
        splat = true;
      } else if (a.type !== "comment") {
        args.push(a);
      }
    }
  } else if (argList) {
    args.push(argList); // f(x for x in y)
  }
  return { func, args, kwargs, splat, argList };
}

/** The method name and receiver of `recv.method(...)`. */
export function methodCall(text: string, call: SyntaxNode): { receiver: SyntaxNode; method: string; methodNode: SyntaxNode } | null {
  if (call.type !== "call") return null;
  const func = field(call, "function");
  if (!func || func.type !== "attribute") return null;
  const receiver = field(func, "object");
  const attr = field(func, "attribute");
  if (!receiver || !attr) return null;
  return { receiver, method: nodeText(text, attr), methodNode: attr };
}

export function isTruthyLiteral(text: string, node: SyntaxNode | undefined): boolean | null {
  if (!node) return null;
  if (node.type === "true") return true;
  if (node.type === "false" || node.type === "none") return false;
  return null;
}

/** The nodes from `root` down to the smallest one holding the character at `offset`, outermost first. */
export function nodesAt(root: SyntaxNode, offset: number): SyntaxNode[] {
  const out = [root];
  for (let n = root; ; ) {
    const next = n.children.find((c) => c.start <= offset && offset < c.end);
    if (!next) return out;
    out.push(next);
    n = next;
  }
}

/** The node of `type` starting at `start`: a definition found again from its facts' offsets. */
export function definitionAt(root: SyntaxNode, type: string, start: number): SyntaxNode | null {
  return nodesAt(root, start).find((n) => n.type === type && n.start === start) ?? null;
}

/** The function (or the module) a node belongs to. */
export function enclosingScope(node: SyntaxNode): SyntaxNode {
  let n: SyntaxNode | null = node.parent;
  while (n && n.type !== "function_definition" && n.type !== "module") n = n.parent;
  return n ?? node;
}

/** The statement that directly contains a node, and the block it sits in. */
export function enclosingStatement(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent && n.parent.type !== "block" && n.parent.type !== "module") n = n.parent;
  return n;
}

/**
 * The edit that appends `item` to a bracketed sequence (a call's arguments, a list literal), in its own layout:
 * `last` is the last item (null when there is none) and `close` the offset of the closing bracket. The item goes
 * after the last one (before a comment that follows it on its line), after its trailing comma when it has one, and
 * on a line of its own, with the last item's indentation, when the items are one per line. The closing bracket
 * stays where it is. When the items are one per line and a comment follows a last item with no comma, the new item
 * goes beside it (before the comment), or, with `beside` false, nowhere (null).
 */
export function appendItem(text: string, last: { start: number; end: number } | null, close: number, item: string, beside = true): { at: number; newText: string } | null {
  if (!last) return { at: close, newText: item };
  const eol = eolAt(text);
  const comma = /^[ \t]*,/.exec(text.slice(last.end, close));
  const afterLast = comma ? last.end + comma[0].length : last.end;
  const brk = text.slice(afterLast, close).search(/[\r\n]/);
  if (brk >= 0) {
    // One item per line: after that line's comment when the last item ends in a comma; else the comma goes right
    // after the last item, so only when no comment follows it (then the item stays on the last one's line).
    if (comma) return { at: afterLast + brk, newText: `${eol}${indentAt(text, last.start)}${item},` };
    if (!text.slice(last.end, last.end + brk).trim()) return { at: last.end, newText: `,${eol}${indentAt(text, last.start)}${item}` };
    if (!beside) return null;
  }
  return { at: afterLast, newText: comma ? ` ${item}` : `, ${item}` };
}

/** Leading whitespace of the line where offset sits. */
export function indentAt(text: string, offset: number): string {
  let s = offset;
  while (s > 0 && text[s - 1] !== "\n" && text[s - 1] !== "\r") s--;
  let e = s;
  while (e < text.length && (text[e] === " " || text[e] === "\t")) e++;
  return text.slice(s, e);
}

export function lineStartAt(text: string, offset: number): number {
  let s = offset;
  while (s > 0 && text[s - 1] !== "\n" && text[s - 1] !== "\r") s--;
  return s;
}

/** The text's line end: that of its first line break (CRLF, LF or a lone CR), LF when it has none. */
export function eolAt(text: string): string {
  const m = /\r\n|\n|\r/.exec(text);
  return m ? m[0] : "\n";
}

let lastQuoteText: string | null = null;
let lastQuote = '"';

export function preferredQuote(text: string): string {
  if (text === lastQuoteText) return lastQuote;
  lastQuoteText = text;
  lastQuote = computeQuote(text);
  return lastQuote;
}

function computeQuote(text: string): string {
  let single = 0;
  let double = 0;
  for (let i = 0; i < text.length && i < 20000; i++) {
    const c = text.charCodeAt(i);
    if (c === 39) single++;
    else if (c === 34) double++;
  }
  return single > double * 1.5 ? "'" : '"';
}

/**
 * The base classes of a class definition as dotted names, in order: `Generic[T]` counts as `Generic`; a base that
 * is not a plain (dotted) name is null. Keyword arguments (metaclass=...) are left out.
 */
export function baseNames(text: string, cls: SyntaxNode): (string | null)[] {
  const sup = field(cls, "superclasses");
  if (!sup) return [];
  return sup.children
    .filter((b) => b.type !== "keyword_argument" && b.type !== "comment")
    .map((b) => dotted(text, b.type === "subscript" ? field(b, "value") : b));
}

/** Queryset methods that keep an empty queryset empty (`X.objects.none().order_by("id")`); union() and friends do not. */
const KEEP_EMPTY = new Set(["all", "filter", "exclude", "order_by", "distinct", "reverse", "using", "select_related", "prefetch_related", "annotate", "alias", "only", "defer", "select_for_update"]);

/** `X.objects.none()`, `qs.none()`, and those filtered or ordered: a return that lists no rows. */
export function isEmptyQueryset(text: string, node: SyntaxNode): boolean {
  let n: SyntaxNode | undefined = node;
  while (n?.type === "parenthesized_expression") n = n.children[0];
  for (let depth = 0; n && depth < 20; depth++) {
    const mc = methodCall(text, n);
    if (!mc) return false;
    if (mc.method === "none") return !callParts(text, n)?.args.length;
    if (!KEEP_EMPTY.has(mc.method)) return false;
    n = mc.receiver;
  }
  return false;
}

/**
 * Is `node` in an `except` clause below `stop` (a loop)? It runs when a row fails, not for every row: prefetching
 * for every row to serve an error path costs more than it saves. `except X.DoesNotExist:` is no error path but the
 * "missing" branch of a lookup, which may run for most rows.
 */
export function onErrorPath(text: string, node: SyntaxNode, stop: SyntaxNode): boolean {
  for (let n = node.parent; n && n !== stop; n = n.parent) {
    if (n.type !== "except_clause" && n.type !== "except_group_clause") continue;
    const caught = caughtBy(n);
    if (!caught || !/DoesNotExist|MultipleObjectsReturned/.test(nodeText(text, caught))) return true;
  }
  return false;
}

/**
 * Are the code at `offset` and `node` in different branches of one if/elif/else chain (so one pass runs at most
 * one of them)? Both must lie in the same tree.
 */
export function exclusiveBranches(root: SyntaxNode, offset: number, node: SyntaxNode): boolean {
  const branchOf = (ifs: SyntaxNode, start: number) => ifs.children.find((c) => c.field !== "condition" && c.start <= start && start < c.end);
  for (let n = node.parent; n && n !== root; n = n.parent) {
    if (n.type !== "if_statement" || offset < n.start || offset >= n.end) continue;
    const a = branchOf(n, offset);
    const b = branchOf(n, node.start);
    return !!a && !!b && a !== b && a.field !== "condition" && b.field !== "condition";
  }
  return false;
}

/**
 * The chain (`self.voters.all()`) is the value of an `__in` lookup (`exclude(pk__in=self.voters.all())`) or the
 * argument of Subquery()/Exists(): Django compiles it into the query's SQL, and no rows are loaded.
 */
export function subqueryValue(text: string, n: SyntaxNode): boolean {
  let e = n;
  while (e.parent && ((e.parent.type === "call" && field(e.parent, "function") === e) || (e.parent.type === "attribute" && field(e.parent, "object") === e))) e = e.parent;
  const p = e.parent;
  if (p?.type === "keyword_argument" && field(p, "value") === e) return /__in$/.test(nodeText(text, field(p, "name") ?? p));
  const call = p?.type === "argument_list" ? p.parent : null;
  return !!call && /(^|\.)(Subquery|Exists)$/.test(nodeText(text, field(call, "function") ?? call));
}

/** Top-level functions by name, per parsed module (null for a name defined more than once). */
const byRoot = new WeakMap<SyntaxNode, Map<string, SyntaxNode | null>>();

/** The one `def name` among the statements of a module, or of a class or function body (null when there are several or none). */
export function topLevelFunction(text: string, root: SyntaxNode, name: string): SyntaxNode | null {
  let defs = byRoot.get(root);
  if (!defs) {
    defs = new Map();
    for (const s of root.children) {
      const d = s.type === "decorated_definition" ? field(s, "definition") : s;
      const n = d?.type === "function_definition" ? field(d, "name") : undefined;
      if (!d || !n) continue;
      const key = nodeText(text, n);
      defs.set(key, defs.has(key) ? null : d);
    }
    byRoot.set(root, defs);
  }
  return defs.get(name) ?? null;
}

/** The names a binding target binds (`a`, `a, (b, c)`, `*rest`), added to `into`. */
export function targetNames(text: string, target: SyntaxNode, into: Set<string>): Set<string> {
  if (target.type === "identifier") into.add(nodeText(text, target));
  else for (const c of target.children) targetNames(text, c, into);
  return into;
}

/** Nested functions, classes and comprehensions bind their own names. */
const BINDING_SCOPES = new Set(["function_definition", "class_definition", "lambda", "list_comprehension", "set_comprehension", "generator_expression", "dictionary_comprehension"]);

/** Calls on a name that can grow it by an unknown amount. */
const GROWS = /^(append|extend|add|update|insert|setdefault|__setitem__|__iadd__)$/;

export interface Binding {
  /** The value bound, for a plain `name = value` (or `name |= value` and the like). */
  value: SyntaxNode | null;
  op: string;
}

/** Every binding of `name` in the scope's own code (not nested functions or classes), or null for any it cannot read. */
export function nameBindings(text: string, scope: SyntaxNode, name: string): Binding[] | null {
  const out: Binding[] = [];
  let ok = true;
  if (scope.type === "function_definition") {
    const params = field(scope, "parameters");
    if (params && targetNames(text, params, new Set()).has(name)) return null;
  }
  const body = scope.type === "module" ? scope : field(scope, "body");
  if (!body) return null;
  walk(body, (n) => {
    if (!ok) return false;
    if (BINDING_SCOPES.has(n.type)) return false;
    if (n.type === "assignment" || n.type === "augmented_assignment") {
      const left = field(n, "left");
      if (left?.type === "identifier" && nodeText(text, left) === name) {
        const right = field(n, "right");
        const op = n.type === "assignment" ? "=" : text.slice(left.end, right ? right.start : n.end).trim();
        out.push({ value: right ?? null, op });
      } else if (left && left.type !== "identifier" && left.type !== "subscript" && left.type !== "attribute" && targetNames(text, left, new Set()).has(name)) ok = false;
      else if (left?.type === "subscript" && nodeText(text, field(left, "value") ?? left) === name) ok = false;
    } else if (n.type === "for_statement" || n.type === "for_in_clause") {
      const left = field(n, "left");
      if (left && targetNames(text, left, new Set()).has(name)) ok = false;
    } else if (n.type === "named_expression") {
      const nm = field(n, "name");
      if (nm && nodeText(text, nm) === name) ok = false;
    } else if (n.type === "as_pattern") {
      const alias = field(n, "alias");
      if (alias && targetNames(text, alias, new Set()).has(name)) ok = false;
    } else if (n.type === "global_statement" || n.type === "nonlocal_statement" || n.type === "import_statement" || n.type === "import_from_statement") {
      if (targetNames(text, n, new Set()).has(name)) ok = false;
    } else if (n.type === "call") {
      const f = field(n, "function");
      const obj = f?.type === "attribute" ? field(f, "object") : undefined;
      const attr = f?.type === "attribute" ? field(f, "attribute") : undefined;
      if (obj?.type === "identifier" && nodeText(text, obj) === name && attr && GROWS.test(nodeText(text, attr))) ok = false;
    }
    return true;
  });
  return ok ? out : null;
}

/**
 * A node standing for `node` with other children (a view of part of it). Not `{ ...node }`: a snapshot's offsets
 * are accessors, which a spread does not copy.
 */
export function withChildren(node: SyntaxNode, children: SyntaxNode[]): SyntaxNode {
  return { type: node.type, start: node.start, end: node.end, field: node.field, children, parent: node.parent };
}
