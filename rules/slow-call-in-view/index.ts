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
}

const MAIL = { cost: "waits on the mail server (SMTP) while the user waits" };
const HTTP = { cost: "waits on a remote HTTP service, with no bound but its timeout" };
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
  "httpx.Client": { methods: HTTP_METHODS, what: "an httpx client call", ...HTTP },
  "urllib3.PoolManager": { methods: /^(request|urlopen|request_encode_url|request_encode_body)$/, what: "a urllib3 PoolManager request", ...HTTP },
};

function slowFunction(imports: Map<string, string>, call: SyntaxNode, ctx: RuleContext): Slow | null {
  const parts = callParts(ctx.text, call);
  if (!parts) return null;
  const q = qualified(imports, dotted(ctx.text, parts.func));
  if (!q) return null;
  if (FUNCTIONS[q]) return FUNCTIONS[q];
  const m = /^(requests|httpx)\.(\w+)$/.exec(q);
  if (m && HTTP_METHODS.test(m[2])) return { what: `${m[1]}.${m[2]}()`, ...HTTP };
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

function report(ctx: RuleContext, imports: Map<string, string>, def: SyntaxNode, where: string): void {
  const body = field(def, "body");
  if (!body) return;
  for (const { node, slow } of slowCalls(ctx, imports, body, def)) {
    ctx.report({
      start: node.start,
      end: node.end,
      message: `Slow call in ${where}: ${slow.what} ${slow.cost}; move it to a background task (e.g. a Celery task started with .delay() inside transaction.on_commit)`,
    });
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
