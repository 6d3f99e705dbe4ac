import type { SyntaxNode } from "../../server/src/engine/parser";
import type { Rule, RuleContext } from "../../server/src/engine/rule";
import { baseNames, callParts, dotted, field, methodCall, nodeText } from "../../server/src/engine/syntax";

/** Local name -> fully qualified name, from the file's imports (`import a.b` binds `a`). */
function importsOf(ctx: RuleContext): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (block: SyntaxNode) => {
    for (const stmt of block.children) {
      if (stmt.type === "import_from_statement") {
        const mod = field(stmt, "module_name");
        if (!mod) continue;
        const m = nodeText(ctx.text, mod);
        for (const c of stmt.children) {
          if (c === mod) continue;
          if (c.type === "dotted_name") out.set(nodeText(ctx.text, c), `${m}.${nodeText(ctx.text, c)}`);
          else if (c.type === "aliased_import") {
            const n = field(c, "name");
            const a = field(c, "alias");
            if (n && a) out.set(nodeText(ctx.text, a), `${m}.${nodeText(ctx.text, n)}`);
          }
        }
      } else if (stmt.type === "import_statement") {
        for (const c of stmt.children) {
          if (c.type === "dotted_name") {
            const full = nodeText(ctx.text, c);
            out.set(full.split(".")[0], full.split(".")[0]);
          } else if (c.type === "aliased_import") {
            const n = field(c, "name");
            const a = field(c, "alias");
            if (n && a) out.set(nodeText(ctx.text, a), nodeText(ctx.text, n));
          }
        }
      } else if (stmt.type === "try_statement" || stmt.type === "if_statement") {
        for (const c of stmt.children) {
          if (c.type === "block") visit(c);
          else for (const cc of c.children) if (cc.type === "block") visit(cc);
        }
      }
    }
  };
  visit(ctx.syntax.root);
  return out;
}

/** The fully qualified name a dotted expression refers to through the imports, or null. */
function qualified(imports: Map<string, string>, d: string | null): string | null {
  if (!d) return null;
  const head = d.split(".")[0];
  const q = imports.get(head);
  return q ? q + d.slice(head.length) : null;
}

interface Slow {
  what: string;
  cost: string;
  /** An HTTP call: when the view needs its answer it cannot move to a task (see `report`). */
  http?: true;
  /** The call has a timeout by default (httpx: 5 seconds). */
  bounded?: true;
  /** Sends mail through Django's EMAIL_BACKEND. */
  mail?: true;
}

const MAIL = { cost: "waits on the mail server (SMTP) while the user waits", mail: true } as const;
const HTTP = { cost: "waits on a remote HTTP service, with no bound but its timeout", http: true } as const;
const PDF = { cost: "renders a document on the request thread, often for seconds" };

const FUNCTIONS: Record<string, Slow> = {
  "django.core.mail.send_mail": { what: "send_mail()", ...MAIL },
  "django.core.mail.send_mass_mail": { what: "send_mass_mail()", ...MAIL },
  "django.core.mail.mail_admins": { what: "mail_admins()", ...MAIL },
  "django.core.mail.mail_managers": { what: "mail_managers()", ...MAIL },
  "urllib.request.urlopen": { what: "urlopen()", ...HTTP },
  "urllib3.request": { what: "urllib3.request()", ...HTTP },
  "xhtml2pdf.pisa.CreatePDF": { what: "pisa.CreatePDF()", ...PDF },
  "xhtml2pdf.pisa.pisaDocument": { what: "pisa.pisaDocument()", ...PDF },
  "pdfkit.from_string": { what: "pdfkit.from_string()", ...PDF },
  "pdfkit.from_url": { what: "pdfkit.from_url()", ...PDF },
  "pdfkit.from_file": { what: "pdfkit.from_file()", ...PDF },
  "reportlab.pdfgen.canvas.Canvas": { what: "reportlab Canvas", ...PDF },
  "reportlab.platypus.SimpleDocTemplate": { what: "reportlab SimpleDocTemplate", ...PDF },
};
const HTTP_METHODS = /^(get|post|put|patch|delete|head|options|request|stream)$/;
/** Constructors whose objects do the slow part in a method: class -> methods. */
const SLOW_OBJECTS: Record<string, { methods: RegExp } & Slow> = {
  "django.core.mail.EmailMessage": { methods: /^send$/, what: "EmailMessage.send()", ...MAIL },
  "django.core.mail.EmailMultiAlternatives": { methods: /^send$/, what: "EmailMultiAlternatives.send()", ...MAIL },
  "django.core.mail.message.EmailMessage": { methods: /^send$/, what: "EmailMessage.send()", ...MAIL },
  "django.core.mail.message.EmailMultiAlternatives": { methods: /^send$/, what: "EmailMultiAlternatives.send()", ...MAIL },
  "weasyprint.HTML": { methods: /^write_pdf$/, what: "weasyprint HTML.write_pdf()", ...PDF },
  "openpyxl.Workbook": { methods: /^save$/, what: "openpyxl Workbook.save()", ...PDF },
  "requests.Session": { methods: HTTP_METHODS, what: "a requests session call", ...HTTP },
  "requests.sessions.Session": { methods: HTTP_METHODS, what: "a requests session call", ...HTTP },
  "httpx.Client": { methods: HTTP_METHODS, what: "an httpx client call", ...HTTP, bounded: true },
  "urllib3.PoolManager": { methods: /^(request|urlopen|request_encode_url|request_encode_body)$/, what: "a urllib3 PoolManager request", ...HTTP },
};

function slowFunction(imports: Map<string, string>, call: SyntaxNode, ctx: RuleContext): Slow | null {
  const parts = callParts(ctx.text, call);
  if (!parts) return null;
  const q = qualified(imports, dotted(ctx.text, parts.func));
  if (!q) return null;
  if (FUNCTIONS[q]) return FUNCTIONS[q];
  const m = /^(requests|httpx)\.(\w+)$/.exec(q);
  if (m && HTTP_METHODS.test(m[2])) return { what: `${m[1]}.${m[2]}()`, ...HTTP, ...(m[1] === "httpx" ? { bounded: true as const } : {}) };
  return null;
}

/** The class a receiver was constructed from: `EmailMessage(...).send()` or `msg = EmailMessage(...)` earlier. */
function constructedFrom(ctx: RuleContext, imports: Map<string, string>, recv: SyntaxNode, scope: SyntaxNode): string | null {
  const ctor = (n: SyntaxNode | undefined): string | null => {
    if (n?.type !== "call") return null;
    return qualified(imports, dotted(ctx.text, field(n, "function")));
  };
  if (recv.type === "call") return ctor(recv);
  if (recv.type !== "identifier") return null;
  const name = nodeText(ctx.text, recv);
  let found: string | null = null;
  let other = false;
  const stack = [scope];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "assignment") {
      const l = field(n, "left");
      if (l?.type === "identifier" && nodeText(ctx.text, l) === name) {
        const c = ctor(field(n, "right"));
        if (c && (!found || found === c)) found = c;
        else other = true;
      }
    } else if (n.type === "as_pattern") {
      const alias = field(n, "alias");
      if (alias && nodeText(ctx.text, alias).trim() === name) {
        const c = ctor(n.children[0]);
        if (c && (!found || found === c)) found = c;
        else other = true;
      }
    }
    for (const c of n.children) stack.push(c);
  }
  return other ? null : found;
}

function slowCalls(ctx: RuleContext, imports: Map<string, string>, body: SyntaxNode, scope: SyntaxNode): { node: SyntaxNode; slow: Slow }[] {
  const out: { node: SyntaxNode; slow: Slow }[] = [];
  const stack = [body];
  while (stack.length) {
    const n = stack.pop()!;
    // Nested functions and lambdas may run elsewhere (a thread, a task, on_commit): unsure.
    if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") continue;
    if (n.type === "call") {
      let slow = slowFunction(imports, n, ctx);
      if (!slow) {
        const mc = methodCall(ctx.text, n);
        if (mc) {
          const cls = constructedFrom(ctx, imports, mc.receiver, scope);
          const obj = cls ? SLOW_OBJECTS[cls] : undefined;
          if (obj && obj.methods.test(mc.method)) slow = obj;
        }
      }
      if (slow) out.push({ node: n, slow });
    }
    for (const c of n.children) stack.push(c);
  }
  return out;
}

const VIEW_BASES = /^(\w*View|\w*APIView|\w*ViewSet|\w*ViewSetMixin)$/;
const SERIALIZER_BASES = /^\w*Serializer$/;

/**
 * Whether the function goes on to use the call's answer: anything but a statement of its own, `.raise_for_status()`
 * on it, or a name assigned from it and read only that way (or never).
 */
function answerUsed(ctx: RuleContext, call: SyntaxNode, def: SyntaxNode): boolean {
  let n = call;
  while (n.parent?.type === "await" || n.parent?.type === "parenthesized_expression") n = n.parent;
  const p = n.parent;
  if (!p || p.type === "expression_statement") return false;
  if (raisesOnly(ctx, n)) return false;
  if (p.type !== "assignment" || field(p, "right") !== n) return true;
  const left = field(p, "left");
  if (left?.type !== "identifier") return true;
  const name = nodeText(ctx.text, left);
  const stack = [field(def, "body")!];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === "identifier" && x.start >= call.end && nodeText(ctx.text, x) === name) {
      const a = x.parent;
      if (a?.type === "assignment" && field(a, "left") === x) continue;
      if (!raisesOnly(ctx, x)) return true;
    }
    for (const c of x.children) stack.push(c);
  }
  return false;
}

/** `x.raise_for_status()` as a statement of its own: only a failure reaches the caller. */
function raisesOnly(ctx: RuleContext, x: SyntaxNode): boolean {
  const attr = x.parent;
  if (attr?.type !== "attribute" || field(attr, "object") !== x || nodeText(ctx.text, field(attr, "attribute") ?? attr) !== "raise_for_status") return false;
  return attr.parent?.type === "call" && attr.parent.parent?.type === "expression_statement";
}

/** The call bounds its wait: a `timeout=` argument (or `**kwargs`, which may hold one), urlopen's third argument. */
function hasTimeout(ctx: RuleContext, call: SyntaxNode, slow: Slow): boolean {
  if (slow.bounded) return true;
  const parts = callParts(ctx.text, call);
  if (!parts) return true;
  if (parts.kwargs.has("timeout") || parts.splat) return true;
  return slow.what === "urlopen()" && parts.args.length >= 3;
}

function report(ctx: RuleContext, imports: Map<string, string>, def: SyntaxNode, where: string): void {
  const body = field(def, "body");
  if (!body) return;
  for (const { node, slow } of slowCalls(ctx, imports, body, def)) {
    // Settings send mail through a queue (django-celery-email, post_office, ...): the view only queues it.
    if (slow.mail && ctx.index.queuedMail) continue;
    let message = `Slow call in ${where}: ${slow.what} ${slow.cost}; move it to a background task (e.g. a Celery task started with .delay() inside transaction.on_commit)`;
    // The view builds its answer from the remote one (an OAuth handshake, a check before a delete): no task can
    // take the call. What is left to say is only that it must not wait forever.
    if (slow.http && answerUsed(ctx, node, def)) {
      if (hasTimeout(ctx, node, slow)) continue;
      message = `Slow call in ${where}: ${slow.what} has no timeout, and the view needs its answer, so it cannot move to a background task; pass timeout= (a few seconds) so a hung service cannot hold the worker and the user's request`;
    }
    ctx.report({ start: node.start, end: node.end, message });
  }
}

function check(ctx: RuleContext): void {
  if (!ctx.mentions(/send_mail|send_mass_mail|mail_admins|mail_managers|Email|requests|httpx|urllib|weasyprint|reportlab|pisa|pdfkit|openpyxl/)) return;
  const imports = importsOf(ctx);
  for (const stmt of ctx.syntax.root.children) ctx.examine(stmt, () => checkStatement(ctx, imports, stmt));
}

function checkStatement(ctx: RuleContext, imports: ReturnType<typeof importsOf>, stmt: SyntaxNode): void {
  const def = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
  if (!def) return;
  if (def.type === "function_definition") {
    const params = field(def, "parameters");
    const first = params?.children[0];
    const pname = first && (first.type === "identifier" ? first : first.type === "typed_parameter" ? first.children.find((c) => c.type === "identifier") : undefined);
    if (pname && nodeText(ctx.text, pname) === "request") report(ctx, imports, def, `the view ${nodeText(ctx.text, field(def, "name")!)}`);
  } else if (def.type === "class_definition") {
    const sup = field(def, "superclasses");
    const bases = (sup ? baseNames(ctx.text, def) : []).map((b) => (b ?? "").replace(/^.*\./, ""));
    const isView = bases.some((b) => VIEW_BASES.test(b));
    const isSerializer = !isView && bases.some((b) => SERIALIZER_BASES.test(b));
    if (!isView && !isSerializer) return;
    const cname = nodeText(ctx.text, field(def, "name")!);
    for (const s of field(def, "body")?.children ?? []) {
      const m = s.type === "decorated_definition" ? field(s, "definition") : s;
      if (m?.type !== "function_definition") continue;
      report(ctx, imports, m, `${isView ? "the view" : "the serializer"} ${cname}.${nodeText(ctx.text, field(m, "name")!)}`);
    }
  }
}

export const rule: Rule = {
  meta: { id: "slow-call-in-view", summary: "Mail, HTTP or document generation run inside a view", defaultSeverity: "warning", fixable: false },
  check,
};
