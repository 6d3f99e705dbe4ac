/**
 * Reliability toolkit and soak run.
 *
 * As a module (imported by fuzz.test.ts, storm.test.ts, badinput.test.ts, security.test.ts): a seeded random
 * generator, the corpus of real-looking Django files (example/ and rules/<id>/cases/), text mutations, random
 * incremental LSP edits, an independent range checker (lines split on \r\n, \r and \n; characters counted in
 * UTF-16 code units) and a small JSON-RPC client for `django-orm-hints lsp --stdio`.
 *
 * As a script (`npm run soak`, i.e. `node out/test/soak.js [edits] [seed]`): drives one server with 100,000
 * fuzzed edits (env SOAK_EDITS / SOAK_SEED override) over documents built from the corpus, checks every published
 * range and every quick fix's edit ranges, and prints progress and a summary. Exit code 0 only with 0 crashes,
 * 0 bad ranges, 0 stale versions and a final state equal to a fresh analysis.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  CodeActionRequest, ConfigurationRequest, createProtocolConnection, DidChangeConfigurationNotification, DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification, DidOpenTextDocumentNotification, ExitNotification, InitializedNotification, InitializeRequest,
  LogMessageNotification, PublishDiagnosticsNotification, RegistrationRequest, ShowMessageNotification, ShowMessageRequest, ShutdownRequest,
  StreamMessageReader, StreamMessageWriter,
  type CodeAction, type Diagnostic, type ProtocolConnection, type PublishDiagnosticsParams, type Range, type TextDocumentContentChangeEvent,
} from "vscode-languageserver-protocol/node";
import { RULES } from "../rules";
import { initParser } from "../server/src/engine/parser";
import { Project } from "../server/src/engine/project";

export const REPO = path.resolve(__dirname, "..", "..");
export const CLI = path.join(REPO, "bin", "django-orm-hints.js");
export const EXAMPLE = path.join(REPO, "example");

// ---------------------------------------------------------------------------------------------------------------
// Seeds

/** mulberry32: small, fast, and the same sequence on every platform. */
export class Rng {
  private s: number;
  constructor(readonly seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The seed of case i of a run with a base seed (so one case can be replayed alone). */
export function seedOf(base: number, i: number): number {
  let h = (base ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** FUZZ_SEED=<n> replays a run; FUZZ_SEED=random picks one (printed). */
export function baseSeed(fallback = 20240611): number {
  const v = process.env.FUZZ_SEED;
  if (v === "random") return (Date.now() ^ (process.pid << 8)) >>> 0;
  if (v && /^\d+$/.test(v)) return Number(v) >>> 0;
  return fallback;
}

export function envCount(name: string, fallback: number): number {
  const v = process.env[name];
  return v && /^\d+$/.test(v) ? Number(v) : fallback;
}

// ---------------------------------------------------------------------------------------------------------------
// Corpus

export interface CorpusFile {
  /** The workspace folder the file belongs to (example/ or rules/<id>/cases). */
  root: string;
  file: string;
  /** Path relative to the repository, for messages. */
  rel: string;
  text: string;
}

function walkPy(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walkPy(p, out);
    else if (e.isFile() && e.name.endsWith(".py")) out.push(p);
  }
}

let corpusCache: CorpusFile[] | null = null;
/** Every Python file of example/ and of the rule cases, biggest first within each root. */
export function loadCorpus(): CorpusFile[] {
  if (corpusCache) return corpusCache;
  const roots = [EXAMPLE, ...fs.readdirSync(path.join(REPO, "rules")).sort().map((id) => path.join(REPO, "rules", id, "cases")).filter((d) => fs.existsSync(d))];
  const out: CorpusFile[] = [];
  for (const root of roots) {
    const files: string[] = [];
    walkPy(root, files);
    for (const file of files.sort()) {
      const text = fs.readFileSync(file, "utf8");
      if (text.trim()) out.push({ root, file, rel: path.relative(REPO, file), text });
    }
  }
  corpusCache = out;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations

const TOKEN_RE = /[A-Za-z_][A-Za-z0-9_]*|\d+|"""|'''|\r\n|\r|\n|[ \t]+|[\uD800-\uDBFF][\uDC00-\uDFFF]|[^]/g;

export const VOCAB = [
  "(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "==", "\\", "'", '"', '"""', "'''", "#", "@", "->", "**", "*", "lambda", "for", "in", "if",
  "else", "elif", "while", "with", "async", "await", "def", "class", "return", "yield", "import", "from", "as", "not", "and", "or", "None",
  "objects", ".objects", ".all()", ".filter(", ".select_related(", ".prefetch_related(", ".only(", ".values(", ".count()", ".exists()",
  ".save()", ".delete()", "for x in Book.objects.all():", "\n    ", "\n\t", "\n", "\r\n", "\r", "    ", "\t", "😀", "名前", "café", "\u200b",
  "\ufeff", "\ufffd", "\u2028", "\0", "f\"{", "}\"", "rb'", "u'", "0x", "1e", "_", "__init__", "self", "request", "render(request, ", "len(",
  "if qs:", "print(", "Meta", "models.ForeignKey(", "ManyToManyField(", "class Meta:", "async def ", "yield from ",
];

const SPLICE_CHARS = ["\0", "\r", "\n", "\t", "\x0b", "\x0c", "\x1b", "\x7f", "\u0085", "\u00a0", "\u2028", "\u2029", "\ufeff", "\ufffd", "😀", "👍🏽", "𝔘", "日", "é", "e\u0301", "\ud800", "\udfff", "\ud83d", "\ude00"];

function tokens(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const m of text.matchAll(TOKEN_RE)) out.push({ start: m.index!, end: m.index! + m[0].length });
  return out;
}

function lineStarts(text: string): number[] {
  const s = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 13 || c === 10) s.push(i + 1);
  }
  return s;
}

function randomLine(r: Rng, corpus: readonly CorpusFile[]): string {
  const src = r.pick(corpus).text.split(/\r\n|\r|\n/);
  return src[r.int(src.length)];
}

function longLine(r: Rng): string {
  const n = r.range(2000, 40000);
  switch (r.int(5)) {
    case 0: return `x = "${"a".repeat(n)}"`;
    case 1: return `y = [${"1, ".repeat(n / 3)}]`;
    case 2: return `# ${"😀é日".repeat(n / 4)}`;
    case 3: return `    q = Book.objects${".filter(a=1)".repeat(n / 12)}`;
    default: return `z = ${"a + ".repeat(n / 4)}b`;
  }
}

function deepNesting(r: Rng): string {
  const d = r.range(50, 800);
  const balanced = r.chance(0.7);
  switch (r.int(5)) {
    case 0: return `z = ${"(".repeat(d)}1${balanced ? ")".repeat(d) : ""}`;
    case 1: return `z = ${"[".repeat(d)}${balanced ? "]".repeat(d) : ""}`;
    case 2: return `z = ${"f(".repeat(d)}x${balanced ? ")".repeat(d) : ""}`;
    case 3: return `z = x${".a".repeat(d * 4)}`;
    default: {
      // Nested blocks (Python itself stops at 100 indentation levels; the parser should not care).
      const depth = Math.min(d, 120);
      const lines: string[] = [];
      for (let i = 0; i < depth; i++) lines.push(`${" ".repeat(i)}${r.pick(["if x:", "for b in Book.objects.all():", "with y:", "while b.author:", "def f():"])}`);
      lines.push(`${" ".repeat(depth)}b.author.name`);
      return lines.join("\n");
    }
  }
}

/** Line endings, BOM and non-ASCII text before the code. */
export function unicodeize(text: string, r: Rng): string {
  let t = text;
  if (r.chance(0.5)) t = t.replace(/\r\n|\r|\n/g, "\r\n");
  else if (r.chance(0.2)) t = t.replace(/\r\n|\r|\n/g, "\r");
  if (r.chance(0.3)) t = "\ufeff" + t;
  if (r.chance(0.7)) {
    // Emoji, CJK, accents and tabs in comments and strings at the start of random lines.
    const starts = lineStarts(t);
    const picks = new Set<number>();
    for (let k = r.range(1, 8); k > 0; k--) picks.add(r.pick(starts));
    for (const s of [...picks].sort((a, b) => b - a)) {
      const line = t.slice(s, t.indexOf("\n", s) === -1 ? t.length : t.indexOf("\n", s));
      const indent = /^[ \t]*/.exec(line)![0];
      const junk = r.pick(["# 😀 日本語 café\t👍🏽", "_ = '😀😀名前'  # é", "ß = \"𝔘𝔫𝔦𝔠𝔬𝔡𝔢\"", "\t# \t😀"]);
      const nl = t.includes("\r\n") ? "\r\n" : t.includes("\r") ? "\r" : "\n";
      t = t.slice(0, s) + indent + junk + nl + t.slice(s);
    }
  }
  return t;
}

/** 1 to 4 random mutations. `ops` says what was done (for failure messages). */
export function mutate(text: string, r: Rng, corpus: readonly CorpusFile[]): { text: string; ops: string[] } {
  let t = text;
  const ops: string[] = [];
  const n = r.range(1, 4);
  for (let k = 0; k < n; k++) {
    const toks = tokens(t);
    const at = toks.length ? toks[r.int(toks.length)] : { start: 0, end: 0 };
    const starts = lineStarts(t);
    const li = r.int(starts.length);
    const lineEnd = (i: number) => (i + 1 < starts.length ? starts[i + 1] : t.length);
    switch (r.int(14)) {
      case 0:
      case 1: {
        const m = r.range(1, 3);
        const end = toks[Math.min(toks.indexOf(at) + m - 1, toks.length - 1)]?.end ?? at.end;
        ops.push(`delete tokens @${at.start}`);
        t = t.slice(0, at.start) + t.slice(end);
        break;
      }
      case 2:
      case 3: {
        const tok = r.chance(0.7) ? r.pick(VOCAB) : toks.length ? t.slice(r.pick(toks).start, r.pick(toks).end) : "x";
        const pos = r.chance(0.5) ? at.start : at.end;
        ops.push(`insert ${JSON.stringify(tok)} @${pos}`);
        t = t.slice(0, pos) + tok + t.slice(pos);
        break;
      }
      case 4: {
        const m = r.range(1, 5);
        ops.push(`delete lines ${li}+${m}`);
        t = t.slice(0, starts[li]) + t.slice(lineEnd(Math.min(li + m - 1, starts.length - 1)));
        break;
      }
      case 5: {
        const line = r.chance(0.5) ? t.slice(starts[li], lineEnd(li)) : randomLine(r, corpus) + "\n";
        const to = r.pick(starts);
        ops.push(`insert line @${to}`);
        t = t.slice(0, to) + line + t.slice(to);
        break;
      }
      case 6: {
        const other = r.int(starts.length);
        const [a, b] = li < other ? [li, other] : [other, li];
        if (a === b) break;
        const la = t.slice(starts[a], lineEnd(a));
        const lb = t.slice(starts[b], lineEnd(b));
        ops.push(`swap lines ${a},${b}`);
        t = t.slice(0, starts[a]) + lb + t.slice(lineEnd(a), starts[b]) + la + t.slice(lineEnd(b));
        break;
      }
      case 7: {
        const cut = r.int(t.length + 1);
        ops.push(`truncate @${cut}`);
        t = t.slice(0, cut);
        break;
      }
      case 8: {
        let junk = "";
        for (let m = r.range(1, 16); m > 0; m--) junk += r.chance(0.5) ? String.fromCharCode(r.int(128)) : r.pick(SPLICE_CHARS);
        const pos = r.int(t.length + 1);
        ops.push(`splice ${JSON.stringify(junk)} @${pos}`);
        t = t.slice(0, pos) + junk + t.slice(pos + r.int(4));
        break;
      }
      case 9: {
        const pos = r.int(t.length + 1);
        ops.push(`NULs @${pos}`);
        t = t.slice(0, pos) + "\0".repeat(r.range(1, 8)) + t.slice(pos);
        break;
      }
      case 10: {
        const line = longLine(r);
        ops.push(`long line (${line.length}) @line ${li}`);
        t = t.slice(0, starts[li]) + line + "\n" + t.slice(starts[li]);
        break;
      }
      case 11: {
        const block = deepNesting(r);
        ops.push(`deep nesting (${block.length}) @line ${li}`);
        t = t.slice(0, starts[li]) + block + "\n" + t.slice(starts[li]);
        break;
      }
      case 12: {
        const m = r.range(1, 10);
        const delta = r.pick(["    ", "  ", "\t", "-"]);
        ops.push(`reindent ${li}+${m} ${JSON.stringify(delta)}`);
        let out = t.slice(0, starts[li]);
        for (let i = li; i < Math.min(li + m, starts.length); i++) {
          const line = t.slice(starts[i], lineEnd(i));
          out += delta === "-" ? line.replace(/^( {1,4}|\t)/, "") : delta + line;
        }
        t = out + t.slice(lineEnd(Math.min(li + m, starts.length) - 1));
        break;
      }
      default:
        ops.push("unicodeize");
        t = unicodeize(t, r);
    }
  }
  return { text: t, ops };
}

/** Random incremental changes for a document: 1 change mostly, up to 5 (each against the text after the previous). */
export function randomChanges(doc: TextDocument, r: Rng, corpus: readonly CorpusFile[], maxLength = 40000): TextDocumentContentChangeEvent[] {
  const work = TextDocument.create(doc.uri, doc.languageId, doc.version, doc.getText());
  const changes: TextDocumentContentChangeEvent[] = [];
  const n = r.chance(0.75) ? 1 : r.range(2, 5);
  for (let k = 0; k < n; k++) {
    const text = work.getText();
    const len = text.length;
    const grow = len < maxLength / 4 ? 0.85 : len > maxLength ? 0.1 : 0.6;
    let start = r.int(len + 1);
    let end = start;
    let insert = "";
    if (r.chance(grow)) {
      switch (r.int(6)) {
        case 0: insert = r.pick(VOCAB); break;
        case 1: insert = randomLine(r, corpus) + r.pick(["\n", "\r\n", "\n"]); break;
        case 2: {
          const src = r.pick(corpus).text;
          const a = r.int(src.length);
          insert = src.slice(a, a + r.range(1, 600));
          break;
        }
        case 3: insert = String.fromCharCode(r.range(32, 126)); break;
        case 4: insert = r.pick(SPLICE_CHARS); break;
        default: {
          // Typing: a few characters at a line start or end.
          const p = work.positionAt(start);
          start = work.offsetAt({ line: p.line, character: r.chance(0.5) ? 0 : 1e9 });
          end = start;
          insert = r.pick(["\n    ", "b.author.name", "for b in Book.objects.all():\n        ", "    ", "#", "):"]);
        }
      }
      if (r.chance(0.2)) end = Math.min(len, start + r.range(1, 20));
    } else {
      end = Math.min(len, start + (r.chance(0.7) ? r.range(1, 8) : r.range(8, 800)));
      if (r.chance(0.2)) insert = r.pick(VOCAB);
    }
    const range: Range = { start: work.positionAt(start), end: work.positionAt(end) };
    const change = { range, text: insert };
    changes.push(change);
    TextDocument.update(work, [change], work.version + 1);
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------------------------
// Ranges

/** Lines of a text as LSP splits them (\r\n, \r, \n), without their breaks. Independent of engine/positions.ts. */
export function lspLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * What is wrong with a range in a text: out of the document, reversed, or splitting a surrogate pair.
 * `lines` may be passed to avoid splitting the text again.
 */
export function rangeProblems(text: string, range: Range, what: string, lines = lspLines(text)): string[] {
  const out: string[] = [];
  const bad = (m: string) => out.push(`${what}: ${m} (range ${JSON.stringify(range)}; ${lines.length} lines)`);
  for (const [k, p] of [["start", range.start], ["end", range.end]] as const) {
    if (!p || !Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0) {
      bad(`${k} is not a position`);
      continue;
    }
    if (p.line >= lines.length) {
      bad(`${k}.line ${p.line} is past the last line ${lines.length - 1}`);
      continue;
    }
    const line = lines[p.line];
    if (p.character > line.length) bad(`${k}.character ${p.character} is past the end of line ${p.line} (length ${line.length} UTF-16 units)`);
    else if (p.character > 0 && p.character < line.length && isHigh(line.charCodeAt(p.character - 1)) && isLow(line.charCodeAt(p.character))) bad(`${k} splits a surrogate pair on line ${p.line}`);
  }
  if (!out.length && (range.start.line > range.end.line || (range.start.line === range.end.line && range.start.character > range.end.character))) bad("start is after end");
  return out;
}

/** Problems of every range a diagnostic carries that points into the document itself. */
export function diagnosticProblems(text: string, uri: string, ds: readonly Diagnostic[], what: string): string[] {
  const lines = lspLines(text);
  const out: string[] = [];
  for (const d of ds) {
    out.push(...rangeProblems(text, d.range, `${what} ${d.code} "${d.message.slice(0, 60)}"`, lines));
    for (const rel of d.relatedInformation ?? []) if (rel.location.uri === uri) out.push(...rangeProblems(text, rel.location.range, `${what} ${d.code} related`, lines));
    const fixes = (d.data as { fixes?: { title: string; edits: { file: string; range: Range }[] }[] } | undefined)?.fixes ?? [];
    for (const f of fixes) for (const e of f.edits) if (uriOf(e.file) === uri) out.push(...rangeProblems(text, e.range, `${what} ${d.code} fix "${f.title}" edit`, lines));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// A language server client

export { uriOf, waitFor } from "./helpers";
import { tempDir, uriOf, waitFor } from "./helpers";

export interface ServerMessage {
  kind: "log" | "show";
  type: number;
  message: string;
}

export class LspServer {
  readonly proc: ChildProcess;
  readonly conn: ProtocolConnection;
  readonly published: PublishDiagnosticsParams[] = [];
  readonly messages: ServerMessage[] = [];
  settings: unknown = {};
  stderr = "";
  exitCode: number | null | undefined = undefined;
  exitSignal: string | null = null;

  constructor(readonly root: string, opts: { env?: Record<string, string>; settings?: unknown; cwd?: string } = {}) {
    this.settings = opts.settings ?? {};
    this.proc = spawn(process.execPath, [CLI, "lsp", "--stdio"], { cwd: opts.cwd ?? root, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, DJANGO_ORM_HINTS_DEBUG: "", ...opts.env } });
    this.proc.stderr!.on("data", (d) => (this.stderr = (this.stderr + String(d)).slice(-20000)));
    this.proc.on("exit", (code, signal) => {
      this.exitCode = code;
      this.exitSignal = signal;
    });
    this.proc.stdin!.on("error", () => undefined);
    this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => void this.published.push(p));
    this.conn.onRequest(ConfigurationRequest.type, (p) => p.items.map((item) => (item.section === "djangoOrmHints" || item.section === undefined ? this.settings : null)));
    this.conn.onRequest(RegistrationRequest.type, () => null);
    this.conn.onRequest(ShowMessageRequest.type, (p) => {
      this.messages.push({ kind: "show", type: p.type, message: p.message });
      return null;
    });
    this.conn.onNotification(ShowMessageNotification.type, (p) => void this.messages.push({ kind: "show", type: p.type, message: p.message }));
    this.conn.onNotification(LogMessageNotification.type, (p) => void this.messages.push({ kind: "log", type: p.type, message: p.message }));
    this.conn.onError(() => undefined);
    this.conn.listen();
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  static async start(root: string, opts: { env?: Record<string, string>; settings?: unknown; cwd?: string } = {}): Promise<LspServer> {
    const s = new LspServer(root, opts);
    await s.conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: uriOf(root),
      workspaceFolders: [{ uri: uriOf(root), name: path.basename(root) }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: true }, applyEdit: true },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: true },
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix", "source", "source.fixAll"] } }, isPreferredSupport: true, dataSupport: true },
        },
        window: { showMessage: {} },
      },
    });
    await s.conn.sendNotification(InitializedNotification.type, {});
    return s;
  }

  /** "indexed N Python files" is logged once the workspace scan is done. */
  async ready(timeout = 30000): Promise<void> {
    await waitFor("the workspace index", () => this.messages.some((m) => /^indexed \d+ Python files/.test(m.message)), timeout, () => this.alive);
  }

  open(doc: TextDocument): Promise<void> {
    return this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: doc.uri, languageId: "python", version: doc.version, text: doc.getText() } });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges });
  }

  close(uri: string): Promise<void> {
    return this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  changeConfiguration(settings: unknown): Promise<void> {
    this.settings = settings;
    return this.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { djangoOrmHints: settings } });
  }

  last(uri: string): PublishDiagnosticsParams | undefined {
    for (let i = this.published.length - 1; i >= 0; i--) if (this.published[i].uri === uri) return this.published[i];
    return undefined;
  }

  /** The diagnostics published for a document version (waits for them). */
  async diagnostics(uri: string, version: number, timeout = 20000): Promise<PublishDiagnosticsParams> {
    return waitFor(`diagnostics for ${path.basename(uri)} v${version}`, () => {
      const p = this.last(uri);
      return p && p.version === version ? p : undefined;
    }, timeout, () => this.alive);
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    const res = await this.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics, only } });
    return (res ?? []).filter((a): a is CodeAction => "title" in a && !("command" in a && typeof a.command === "string"));
  }

  /** Resident set size in kB (Linux), or NaN. */
  rssKb(): number {
    try {
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${this.proc.pid}/status`, "utf8"));
      return m ? Number(m[1]) : NaN;
    } catch {
      return NaN;
    }
  }

  errors(): ServerMessage[] {
    return this.messages.filter((m) => m.type === 1);
  }

  async stop(): Promise<void> {
    if (this.alive) {
      try {
        await Promise.race([this.conn.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 3000))]);
        await this.conn.sendNotification(ExitNotification.type);
      } catch {
        // already gone
      }
      try {
        await waitFor("the server to exit", () => !this.alive, 3000);
      } catch {
        this.proc.kill();
      }
    }
    this.conn.dispose();
  }
}

export { tempDir };

export function copyExample(): string {
  const dir = tempDir("orm-hints-rel-");
  fs.cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing the server with the engine

/** "range code message" per diagnostic, in the server's order. */
export function diagnosticView(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.code} ${d.message}`);
}

/** The same view from a fresh engine analysis (a new Project over the root) of a text of a file. */
export async function engineView(root: string, file: string, text: string): Promise<string[]> {
  await initParser();
  const project = new Project([root], RULES);
  project.scan();
  return project.analyze(file, text).filter((h) => h.file === file).map((h) => `${h.range.start.line}:${h.range.start.character}-${h.range.end.line}:${h.range.end.character} ${h.code} ${h.message}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The soak run

/** Checks a quick fix's workspace edit against the document text; returns problems. */
export function codeActionProblems(doc: TextDocument, actions: CodeAction[], what: string): string[] {
  const out: string[] = [];
  const text = doc.getText();
  const lines = lspLines(text);
  for (const a of actions) {
    for (const [uri, edits] of Object.entries(a.edit?.changes ?? {})) {
      if (uri !== doc.uri) continue;
      for (const e of edits) out.push(...rangeProblems(text, e.range, `${what} action "${a.title}" edit`, lines));
      try {
        TextDocument.applyEdits(doc, edits);
      } catch (e) {
        out.push(`${what} action "${a.title}": edits cannot be applied: ${(e as Error).message}`);
      }
    }
  }
  return out;
}

async function soak(): Promise<number> {
  const total = Number(process.argv[2] ?? "") || envCount("SOAK_EDITS", 100000);
  const seed = process.argv[3] !== undefined ? Number(process.argv[3]) >>> 0 : baseSeed((Date.now() >>> 0) % 1000000007);
  const corpus = loadCorpus().filter((c) => c.root === EXAMPLE || c.text.length > 200);
  const r = new Rng(seed);
  const root = copyExample();
  console.log(`soak: ${total} fuzzed edits, seed ${seed} (replay: node out/test/soak.js ${total} ${seed}); workspace ${root}`);
  let server = await LspServer.start(root);
  await server.ready();
  const started = Date.now();
  let crashes = 0;
  let badRanges = 0;
  let stale = 0;
  let timeouts = 0;
  let actionsChecked = 0;
  const problems: string[] = [];
  const note = (p: string) => {
    if (problems.length < 50) problems.push(p);
    console.log(`  ! ${p}`);
  };
  let doc: TextDocument | null = null;
  let docNo = 0;
  const texts = new Map<number, string>();
  let seenIndex = 0;
  let lastVersion = new Map<string, number>();
  const rssStart = { value: NaN };
  const checkPublished = () => {
    for (; seenIndex < server.published.length; seenIndex++) {
      const p = server.published[seenIndex];
      if (p.version === undefined) continue;
      const prev = lastVersion.get(p.uri) ?? -1;
      if (p.version < prev) {
        stale++;
        note(`stale publish: v${p.version} after v${prev} for ${p.uri}`);
      }
      lastVersion.set(p.uri, Math.max(prev, p.version));
      if (doc && p.uri === doc.uri) {
        const text = texts.get(p.version);
        if (text === undefined) continue;
        const bad = diagnosticProblems(text, p.uri, p.diagnostics, `v${p.version}`);
        if (bad.length) {
          badRanges += bad.length;
          bad.slice(0, 3).forEach(note);
        }
        for (const v of texts.keys()) if (v < p.version) texts.delete(v);
      }
    }
  };
  const newDoc = async () => {
    if (doc) await server.close(doc.uri);
    const src = r.pick(corpus);
    const m = r.chance(0.5) ? mutate(src.text, r, corpus).text : src.text;
    const text = r.chance(0.5) ? unicodeize(m, r) : m;
    const rel = src.root === EXAMPLE ? path.relative(EXAMPLE, src.file) : path.join("fuzz", `d${docNo}`, path.basename(src.file));
    docNo++;
    const file = path.join(root, rel.replace(/\.py$/, `_soak${docNo}.py`));
    doc = TextDocument.create(uriOf(file), "python", 1, text);
    texts.clear();
    texts.set(1, text);
    await server.open(doc);
  };
  await newDoc();
  let sent = 0;
  let lastReport = Date.now();
  while (sent < total) {
    if (!server.alive) {
      crashes++;
      note(`server exited (code ${server.exitCode}, signal ${server.exitSignal}) after ${sent} edits; stderr: ${server.stderr.slice(-2000)}`);
      server = await LspServer.start(root);
      await server.ready();
      seenIndex = 0;
      lastVersion = new Map();
      doc = null;
      await newDoc();
    }
    if (r.chance(0.002)) await newDoc();
    const d = doc!;
    const burst = r.range(1, 30);
    for (let b = 0; b < burst && sent < total; b++, sent++) {
      const changes = randomChanges(d, r, corpus);
      const version = d.version + 1;
      TextDocument.update(d, changes, version);
      texts.set(version, d.getText());
      await server.change(d.uri, version, changes);
    }
    const pause = r.int(4);
    if (pause === 0) {
      try {
        const p = await server.diagnostics(d.uri, d.version, 60000);
        checkPublished();
        if (r.chance(0.3) && p.diagnostics.length) {
          const actions = await server.codeActions(d.uri, { start: { line: 0, character: 0 }, end: d.positionAt(d.getText().length) }, p.diagnostics);
          actionsChecked += actions.length;
          const bad = codeActionProblems(d, actions, `v${d.version}`);
          badRanges += bad.length;
          bad.slice(0, 3).forEach(note);
        }
      } catch (e) {
        if (server.alive) {
          timeouts++;
          note(`${(e as Error).message}`);
        }
      }
    } else if (pause === 1) await new Promise((res) => setTimeout(res, r.int(80)));
    checkPublished();
    if (Number.isNaN(rssStart.value) && sent >= Math.min(5000, total / 10)) rssStart.value = server.rssKb();
    if (Date.now() - lastReport > 10000) {
      lastReport = Date.now();
      const rate = sent / ((Date.now() - started) / 1000);
      console.log(`  ${sent}/${total} edits, ${rate.toFixed(0)}/s, doc ${docNo} (${d.getText().length} chars), RSS ${(server.rssKb() / 1024).toFixed(0)} MB, crashes ${crashes}, bad ranges ${badRanges}, stale ${stale}`);
    }
  }
  // Quiescence: the final version's diagnostics equal a fresh analysis.
  let finalOk = false;
  try {
    const d = doc!;
    const p = await server.diagnostics(d.uri, d.version, 60000);
    await new Promise((res) => setTimeout(res, 300));
    checkPublished();
    const fresh = await engineView(root, fileURLToPath(d.uri), d.getText());
    const got = diagnosticView(p.diagnostics);
    finalOk = JSON.stringify(fresh) === JSON.stringify(got);
    if (!finalOk) note(`final diagnostics differ from a fresh analysis:\n    server: ${got.join("\n            ")}\n    engine: ${fresh.join("\n            ")}`);
  } catch (e) {
    note(`final check failed: ${(e as Error).message}`);
  }
  const rssEnd = server.rssKb();
  const errors = server.errors();
  for (const e of errors.slice(0, 5)) note(`server error: ${e.message.slice(0, 500)}`);
  await server.stop();
  const secs = (Date.now() - started) / 1000;
  console.log(`\nsoak summary (seed ${seed})`);
  console.log(`  edits:           ${sent} in ${secs.toFixed(0)} s (${(sent / secs).toFixed(0)}/s), ${docNo} documents`);
  console.log(`  crashes:         ${crashes}`);
  console.log(`  bad ranges:      ${badRanges}`);
  console.log(`  stale versions:  ${stale}`);
  console.log(`  timeouts:        ${timeouts}`);
  console.log(`  server errors:   ${errors.length}`);
  console.log(`  actions checked: ${actionsChecked}`);
  console.log(`  final == fresh:  ${finalOk}`);
  console.log(`  RSS:             ${(rssStart.value / 1024).toFixed(1)} MB after warm-up -> ${(rssEnd / 1024).toFixed(1)} MB at the end`);
  const ok = crashes === 0 && badRanges === 0 && stale === 0 && timeouts === 0 && errors.length === 0 && finalOk;
  console.log(ok ? "soak: PASS" : "soak: FAIL");
  fs.rmSync(root, { recursive: true, force: true });
  return ok ? 0 : 1;
}

if (require.main === module) {
  soak().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
