/**
 * Protocol tests: spawn `django-orm-hints lsp --stdio` and talk JSON-RPC to it the way an editor does: initialize
 * with a workspace folder (a temporary copy of the example project), open documents, receive diagnostics, ask for
 * code actions, apply their edits with incremental didChange, change settings, watch files, close, shut down.
 * Every wait polls with a timeout; nothing sleeps for a fixed time.
 */
import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  CodeActionRequest, createProtocolConnection, DidChangeConfigurationNotification, DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification, DidCloseTextDocumentNotification, DidOpenTextDocumentNotification, ExitNotification,
  FileChangeType, InitializedNotification, InitializeRequest, LogMessageNotification, PublishDiagnosticsNotification,
  RegistrationRequest, ShowMessageNotification, ShowMessageRequest, ShutdownRequest, StreamMessageReader, StreamMessageWriter,
  ConfigurationRequest,
  type CodeAction, type Diagnostic, type InitializeResult, type ProtocolConnection, type PublishDiagnosticsParams,
  type Registration, type TextDocumentContentChangeEvent, type TextEdit, type WorkspaceEdit,
} from "vscode-languageserver-protocol/node";
import { CLI, EXAMPLE, fixAll, projectFor, tempDir, uriOf, waitFor as waitUntil, writeTree } from "./helpers";

const TIMEOUT = 15000;

const waitFor = <T>(what: string, get: () => T | undefined | null | false, timeout = TIMEOUT): Promise<T> => waitUntil(what, get, timeout);


/** A minimal editor: documents, settings, and what the server sent. */
class Editor {
  readonly proc: ChildProcess;
  readonly conn: ProtocolConnection;
  settings: unknown = {};
  readonly configRequests: unknown[] = [];
  readonly registrations: Registration[] = [];
  readonly messages: { type: number; message: string }[] = [];
  readonly published: PublishDiagnosticsParams[] = [];
  readonly docs = new Map<string, TextDocument>();
  stderr = "";
  exitCode: number | null | undefined = undefined;
  initResult: InitializeResult | null = null;

  constructor(readonly root: string) {
    this.proc = spawn(process.execPath, [CLI, "lsp", "--stdio"], { cwd: root, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, DJANGO_ORM_HINTS_DEBUG: "" } });
    this.proc.stderr!.on("data", (d) => (this.stderr += String(d)));
    this.proc.on("exit", (code) => (this.exitCode = code));
    this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => void this.published.push(p));
    this.conn.onRequest(ConfigurationRequest.type, (p) => {
      this.configRequests.push(p);
      return p.items.map((item) => (item.section === "djangoOrmHints" || item.section === undefined ? this.settings : null));
    });
    this.conn.onRequest(RegistrationRequest.type, (p) => {
      this.registrations.push(...p.registrations);
      return null;
    });
    this.conn.onRequest(ShowMessageRequest.type, (p) => {
      this.messages.push(p);
      return null;
    });
    this.conn.onNotification(ShowMessageNotification.type, (p) => void this.messages.push(p));
    this.conn.onNotification(LogMessageNotification.type, () => undefined);
    this.conn.listen();
  }

  async start(): Promise<InitializeResult> {
    this.initResult = await this.conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: uriOf(this.root),
      workspaceFolders: [{ uri: uriOf(this.root), name: path.basename(this.root) }],
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
    await this.conn.sendNotification(InitializedNotification.type, {});
    return this.initResult;
  }

  async open(file: string, text = fs.readFileSync(file, "utf8")): Promise<TextDocument> {
    const uri = uriOf(file);
    const doc = TextDocument.create(uri, "python", 1, text);
    this.docs.set(uri, doc);
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "python", version: 1, text } });
    return doc;
  }

  /** Sends incremental changes (applied one after the other, as LSP says) and updates the local copy. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<TextDocument> {
    const doc = this.docs.get(uri)!;
    const version = doc.version + 1;
    TextDocument.update(doc, changes, version);
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return doc;
  }

  /** Applies a WorkspaceEdit's edits for one document as an incremental didChange (edits sorted last first). */
  async applyEdit(uri: string, edit: WorkspaceEdit): Promise<TextDocument> {
    const edits: TextEdit[] = edit.changes?.[uri] ?? [];
    assert.ok(edits.length, `the edit changes ${uri}`);
    assert.deepEqual(Object.keys(edit.changes ?? {}), [uri], "the edit touches only this document");
    const doc = this.docs.get(uri)!;
    const sorted = [...edits].sort((a, b) => doc.offsetAt(b.range.start) - doc.offsetAt(a.range.start));
    return this.change(uri, sorted.map((e) => ({ range: e.range, text: e.newText })));
  }

  async close(uri: string): Promise<void> {
    this.docs.delete(uri);
    await this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** The last diagnostics published for a document, once they are for its current version and satisfy `ok`. */
  async diagnostics(uri: string, ok: (d: Diagnostic[]) => boolean = () => true, what = "diagnostics"): Promise<Diagnostic[]> {
    const doc = this.docs.get(uri);
    const p = await waitFor(`${what} for ${path.basename(uri)} v${doc?.version}`, () => {
      const last = [...this.published].reverse().find((x) => x.uri === uri);
      if (!last) return undefined;
      if (doc && last.version !== undefined && last.version !== doc.version) return undefined;
      return ok(last.diagnostics) ? last : undefined;
    });
    return p.diagnostics;
  }

  async codeActions(uri: string, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    const doc = this.docs.get(uri)!;
    const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) };
    const res = await this.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics, only } });
    return (res ?? []).filter((a): a is CodeAction => "title" in a && !("command" in a && typeof a.command === "string"));
  }

  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    try {
      await Promise.race([this.conn.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification(ExitNotification.type);
    } catch {
      // already gone
    }
    try {
      await waitFor("the server to exit", () => this.exitCode !== undefined, 3000);
    } catch {
      this.proc.kill();
    }
    this.conn.dispose();
  }
}

const editors: Editor[] = [];
after(async () => {
  for (const e of editors) await e.stop();
});

function copyExample(): string {
  const dir = tempDir("orm-hints-lsp-");
  fs.cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

async function startEditor(root: string, settings: unknown = {}): Promise<Editor> {
  const e = new Editor(root);
  e.settings = settings;
  editors.push(e);
  await e.start();
  return e;
}

/** What the engine reports for a text of a file of a workspace: "line:char-line:char code" strings. */
async function engineView(root: string, file: string, text: string): Promise<string[]> {
  const project = await projectFor(root);
  return project.analyze(file, text).filter((h) => h.file === file).map((h) => `${h.range.start.line}:${h.range.start.character}-${h.range.end.line}:${h.range.end.character} ${h.code}`);
}
const view = (ds: Diagnostic[]) => ds.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.code}`);
const covered = (doc: TextDocument, d: Diagnostic) => doc.getText(d.range);

describe("lsp: initialize and diagnostics", () => {
  it("answers initialize with incremental sync and code action kinds, and registers its watchers", async () => {
    const root = copyExample();
    const e = await startEditor(root);
    const caps = e.initResult!.capabilities;
    const sync = caps.textDocumentSync as { openClose?: boolean; change?: number };
    assert.equal(sync.openClose, true);
    assert.equal(sync.change, 2, "incremental");
    const kinds = (caps.codeActionProvider as { codeActionKinds?: string[] }).codeActionKinds ?? [];
    assert.ok(kinds.includes("quickfix"), `${kinds}`);
    assert.ok(kinds.includes("source.fixAll"), `${kinds}`);
    assert.equal(e.initResult!.serverInfo?.name, "django-orm-hints");
    const methods = await waitFor("registrations", () => (e.registrations.length >= 2 ? e.registrations.map((r) => r.method) : undefined));
    assert.ok(methods.includes("workspace/didChangeConfiguration"), `${methods}`);
    assert.ok(methods.includes("workspace/didChangeWatchedFiles"), `${methods}`);
    await waitFor("a workspace/configuration request", () => e.configRequests.length > 0);
    const item = (e.configRequests[0] as { items: { section?: string }[] }).items[0];
    assert.equal(item.section, "djangoOrmHints");
  });

  it("publishes the engine's diagnostics on open, with codeDescription, source and relatedInformation", async () => {
    const root = copyExample();
    const file = path.join(root, "catalog", "views.py");
    const e = await startEditor(root);
    const doc = await e.open(file);
    const ds = await e.diagnostics(doc.uri, (d) => d.length > 0);
    assert.deepEqual(view(ds), await engineView(root, file, doc.getText()));
    const codes = new Set(ds.map((d) => d.code));
    assert.ok(codes.has("n-plus-one") && codes.has("queryset-in-loop"), [...codes].join());
    for (const d of ds) {
      assert.equal(d.source, "django-orm-hints");
      assert.equal(d.codeDescription?.href, `https://github.com/django-orm-hints/django-orm-hints/blob/main/rules/${d.code}/README.md`);
      assert.ok(d.severity! >= 1 && d.severity! <= 4);
    }
    const n1 = ds.find((d) => d.code === "n-plus-one" && covered(doc, d) === "book.author");
    assert.ok(n1, "an n-plus-one on book.author");
    assert.match(n1.message, /one query per Book to load author/);
    const rel = n1.relatedInformation?.[0];
    assert.ok(rel, "relatedInformation");
    assert.equal(rel.location.uri, doc.uri);
    assert.match(doc.getText(rel.location.range), /^Book\.objects/);
    assert.match(rel.message, /Book queryset built here/);
  });
});

describe("lsp: code actions", () => {
  it("offers the select_related fix as preferred; applying it removes the hint", async () => {
    const root = copyExample();
    const file = path.join(root, "catalog", "views.py");
    const e = await startEditor(root);
    const doc = await e.open(file);
    const before = await e.diagnostics(doc.uri, (d) => d.length > 0);
    const target = before.find((d) => d.code === "n-plus-one" && covered(doc, d) === "book.author" && /load author \(/.test(d.message));
    assert.ok(target, view(before).join("\n"));
    const actions = await e.codeActions(doc.uri, [target], ["quickfix"]);
    const fix = actions.find((a) => /select_related\("author"\)/.test(a.title));
    assert.ok(fix, actions.map((a) => a.title).join("\n"));
    assert.equal(fix.kind, "quickfix");
    assert.equal(fix.isPreferred, true);
    assert.deepEqual(fix.diagnostics?.map((d) => d.message), [target.message]);
    const line = target.range.start.line;
    const targetText = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
    const relLine = target.relatedInformation![0].location.range.start.line;
    assert.ok(fix.edit!.changes![doc.uri].every((x) => x.range.start.line === relLine), "the fix edits the queryset's construction");
    await e.applyEdit(doc.uri, fix.edit!);
    assert.match(doc.getText({ start: { line: relLine, character: 0 }, end: { line: relLine + 1, character: 0 } }), /Book\.objects\.select_related\("author"\)/);
    const afterDs = await e.diagnostics(doc.uri);
    assert.equal(afterDs.length, before.length - 1, `one hint fewer:\n${view(afterDs).join("\n")}`);
    assert.ok(!afterDs.some((d) => d.message === target.message && doc.getText({ start: { line: d.range.start.line, character: 0 }, end: { line: d.range.start.line + 1, character: 0 } }) === targetText));
    assert.deepEqual(view(afterDs), await engineView(root, file, doc.getText()), "positions after the edit match a fresh analysis");
  });

  it("\"Ignore n-plus-one on this line\" inserts the comment and the hint goes away", async () => {
    const root = copyExample();
    const file = path.join(root, "catalog", "views.py");
    const e = await startEditor(root);
    const doc = await e.open(file);
    const before = await e.diagnostics(doc.uri, (d) => d.length > 0);
    const target = before.find((d) => d.code === "n-plus-one")!;
    const actions = await e.codeActions(doc.uri, [target], ["quickfix"]);
    const ignore = actions.find((a) => a.title === "Ignore n-plus-one on this line");
    assert.ok(ignore, actions.map((a) => a.title).join("\n"));
    assert.notEqual(ignore.isPreferred, true);
    const line = target.range.start.line;
    await e.applyEdit(doc.uri, ignore.edit!);
    const lineText = doc.getText({ start: { line, character: 0 }, end: { line, character: 10000 } }).replace(/\r?\n$/, "");
    assert.match(lineText, /  # orm-hints: ignore\[n-plus-one\]$/);
    const afterDs = await e.diagnostics(doc.uri);
    assert.ok(!afterDs.some((d) => d.code === "n-plus-one" && d.range.start.line === line), view(afterDs).join("\n"));
    assert.equal(afterDs.length, before.length - 1);
  });

  it("source.fixAll applies only the safe fixes", async () => {
    const root = copyExample();
    const file = path.join(root, "catalog", "views.py");
    const e = await startEditor(root);
    const doc = await e.open(file);
    const original = doc.getText();
    await e.diagnostics(doc.uri, (d) => d.length > 0);
    const actions = await e.codeActions(doc.uri, [], ["source.fixAll"]);
    assert.equal(actions.length, 1, actions.map((a) => a.title).join("\n"));
    assert.equal(actions[0].kind, "source.fixAll");
    await e.applyEdit(doc.uri, actions[0].edit!);
    const project = await projectFor(root);
    assert.equal(doc.getText(), fixAll(project, file, original), "the same text as applying every safe fix");
    assert.notEqual(doc.getText(), original);
    const afterDs = await e.diagnostics(doc.uri);
    // What is left has no safe fix: unsafe ones (e.g. hoisting a query out of a loop) are not applied.
    const remaining = project.analyze(file, doc.getText()).filter((h) => h.file === file);
    assert.deepEqual(remaining.filter((h) => h.fixes.some((f) => f.safe)).map((h) => h.message), []);
    assert.ok(remaining.length > 0 && remaining.every((h) => h.fixes.every((f) => !f.safe)));
    assert.deepEqual(view(afterDs), await engineView(root, file, doc.getText()));
    assert.ok(afterDs.some((d) => d.code === "queryset-in-loop"), "queryset-in-loop hints (unsafe or no fix) remain");
  });
});

describe("lsp: hints in templates", () => {
  it("publishes a template's hint once when two open views render it", async () => {
    const view = (name: string) => `from django.shortcuts import render\n\nfrom shop.models import Book\n\n\ndef ${name}(request):\n    return render(request, "shop/books.html", {"books": Book.objects.all()})\n`;
    const root = writeTree({
      "shop/__init__.py": "",
      "shop/models.py": "from django.db import models\n\n\nclass Author(models.Model):\n    name = models.CharField(max_length=9)\n\n\nclass Book(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n",
      "shop/a.py": `${view("a")}\n\n${view("a2").replace(/^[\s\S]*?def /, "def ")}`,
      "shop/b.py": view("b"),
      "shop/templates/shop/books.html": "{% for book in books %}{{ book.author.name }}{% endfor %}\n",
    });
    const e = await startEditor(root);
    const template = uriOf(path.join(root, "shop", "templates", "shop", "books.html"));
    await e.open(path.join(root, "shop", "a.py"));
    await e.open(path.join(root, "shop", "b.py"));
    const shown = await e.diagnostics(template, (d) => d.length > 0, "template diagnostics");
    assert.equal(shown.length, 1, JSON.stringify(shown));
    assert.match(shown[0].message, /author/);
  });
});

describe("lsp: document sync", () => {
  it("keeps positions right across an incremental didChange with several ranges", async () => {
    const root = copyExample();
    const file = path.join(root, "catalog", "views.py");
    const e = await startEditor(root);
    const doc = await e.open(file);
    await e.diagnostics(doc.uri, (d) => d.length > 0);
    const lines = doc.getText().split("\n");
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
    const report = at("def book_report");
    const n1 = at('lines.append(f"{book.title} by {book.author.name}")');
    assert.ok(report > 0 && n1 > report);
    // Applied one after the other, as LSP says: each range refers to the text after the previous change.
    await e.change(doc.uri, [
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "# 😀 日本語 café\n# 🎉\n" },
      { range: { start: { line: n1 + 2, character: 8 }, end: { line: n1 + 2, character: 8 } }, text: "print('😀😀', '名前')\n        " },
      { range: { start: { line: n1 + 3, character: 8 }, end: { line: n1 + 3, character: 8 } }, text: "('👍🏽', " },
      { range: { start: { line: n1 + 3, character: "        ('👍🏽', ".length + 'lines.append(f"{book.title} by {book.author.name}")'.length }, end: { line: n1 + 3, character: "        ('👍🏽', ".length + 'lines.append(f"{book.title} by {book.author.name}")'.length } }, text: ")" },
      { range: { start: { line: report + 2, character: 0 }, end: { line: report + 3, character: 0 } }, text: "" },
      { range: { start: { line: report + 2, character: 0 }, end: { line: report + 2, character: 0 } }, text: "    books = Book.objects.filter(published_on__isnull=False)  # 😀\n" },
    ]);
    const text = doc.getText();
    assert.match(text, /^# 😀 日本語 café\n# 🎉\n/);
    assert.match(text, /        \('👍🏽', lines\.append\(f"\{book\.title\} by \{book\.author\.name\}"\)\)\n/);
    const ds = await e.diagnostics(doc.uri);
    assert.deepEqual(view(ds), await engineView(root, file, text));
    const d = ds.find((x) => x.code === "n-plus-one" && x.range.start.line === n1 + 3);
    assert.ok(d, view(ds).join("\n"));
    assert.equal(covered(doc, d), "book.author");
  });

  it("publishes the last version after a burst of changes", async () => {
    const root = copyExample();
    const file = path.join(root, "catalog", "views.py");
    const e = await startEditor(root);
    const doc = await e.open(file);
    await e.diagnostics(doc.uri, (d) => d.length > 0);
    for (let i = 0; i < 10; i++) await e.change(doc.uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `# ${i} 😀\n` }]);
    assert.equal(doc.version, 11);
    const ds = await e.diagnostics(doc.uri);
    assert.deepEqual(view(ds), await engineView(root, file, doc.getText()));
  });

  it("handles a full-text change", async () => {
    const root = copyExample();
    const file = path.join(root, "catalog", "views.py");
    const e = await startEditor(root);
    const doc = await e.open(file);
    await e.diagnostics(doc.uri, (d) => d.length > 0);
    await e.change(doc.uri, [{ text: "from .models import Book\r\n\r\nfor b in Book.objects.all():\r\n    print('😀', b.author)\r\n" }]);
    const ds = await e.diagnostics(doc.uri);
    assert.deepEqual(view(ds), ["3:16-3:24 n-plus-one"]); // "    print('" + 2 code units + "', "
  });

  it("clears diagnostics on didClose", async () => {
    const root = copyExample();
    const file = path.join(root, "catalog", "views.py");
    const e = await startEditor(root);
    const doc = await e.open(file);
    await e.diagnostics(doc.uri, (d) => d.length > 0);
    const n = e.published.length;
    await e.close(doc.uri);
    await waitFor("empty diagnostics after close", () => e.published.slice(n).some((p) => p.uri === doc.uri && p.diagnostics.length === 0));
  });
});

describe("lsp: settings and the workspace", () => {
  it("reads settings through workspace/configuration after didChangeConfiguration", async () => {
    const root = copyExample();
    const file = path.join(root, "catalog", "views.py");
    const e = await startEditor(root);
    const doc = await e.open(file);
    const before = await e.diagnostics(doc.uri, (d) => d.some((x) => x.code === "n-plus-one"));
    e.settings = { rules: { "n-plus-one": "off", "queryset-in-loop": "error" } };
    const asked = e.configRequests.length;
    await e.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    const ds = await e.diagnostics(doc.uri, (d) => !d.some((x) => x.code === "n-plus-one"), "diagnostics without n-plus-one");
    assert.ok(e.configRequests.length > asked, "the server asked for the settings again");
    assert.equal(ds.length, before.filter((d) => d.code !== "n-plus-one").length);
    const q = ds.filter((d) => d.code === "queryset-in-loop");
    assert.ok(q.length > 0);
    assert.ok(q.every((d) => d.severity === 1), "queryset-in-loop is now an error");
    // And back on.
    e.settings = {};
    await e.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    const again = await e.diagnostics(doc.uri, (d) => d.some((x) => x.code === "n-plus-one"), "n-plus-one back");
    assert.equal(again.length, before.length);
  });

  it("shows a message naming a bad setting, and keeps working", async () => {
    const root = copyExample();
    const e = await startEditor(root, { rules: { "no-such-rule": "off", "n-plus-one": "loud" } });
    const doc = await e.open(path.join(root, "catalog", "views.py"));
    const msgs = await waitFor("a message about the settings", () => (e.messages.length ? e.messages : undefined));
    const all = msgs.map((m) => m.message).join("\n");
    assert.match(all, /no-such-rule/);
    const ds = await e.diagnostics(doc.uri, (d) => d.length > 0);
    assert.ok(ds.some((d) => d.code === "n-plus-one"), "a bad value leaves the rule at its default");
  });

  it("re-reads a model file changed on disk (didChangeWatchedFiles)", async () => {
    const models = `from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
`;
    const root = writeTree({
      "shop/__init__.py": "",
      "shop/models.py": models,
      "shop/views.py": "from shop.models import Book\n\n\ndef f():\n    return [b.author.name for b in Book.objects.all()]\n",
    });
    const e = await startEditor(root);
    const doc = await e.open(path.join(root, "shop", "views.py"));
    await e.diagnostics(doc.uri, (d) => d.length === 1);
    const n = e.published.length;
    // A manager that joins author: the hint is no longer true.
    const joined = models.replace("class Book(models.Model):", `class Joined(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("author")


class Book(models.Model):
    objects = Joined()`);
    fs.writeFileSync(path.join(root, "shop", "models.py"), joined);
    await e.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uriOf(path.join(root, "shop", "models.py")), type: FileChangeType.Changed }] });
    await waitFor("diagnostics without the hint", () => e.published.slice(n).some((p) => p.uri === doc.uri && p.diagnostics.length === 0));
  });

  it("re-analyzes open files when an open model file is edited", async () => {
    const root = writeTree({
      "shop/__init__.py": "",
      "shop/models.py": "from django.db import models\n\n\nclass Author(models.Model):\n    name = models.CharField(max_length=100)\n\n\nclass Book(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n",
      "shop/views.py": "from shop.models import Book\n\n\ndef f():\n    return [b.writer.name for b in Book.objects.all()]\n",
    });
    const e = await startEditor(root);
    const viewDoc = await e.open(path.join(root, "shop", "views.py"));
    await e.diagnostics(viewDoc.uri, (d) => d.length === 0, "no hints: Book has no writer");
    const modelDoc = await e.open(path.join(root, "shop", "models.py"));
    await e.diagnostics(modelDoc.uri);
    const text = modelDoc.getText();
    const at = text.indexOf("author = ");
    await e.change(modelDoc.uri, [{ range: { start: modelDoc.positionAt(at), end: modelDoc.positionAt(at + "author".length) }, text: "writer" }]);
    const ds = await waitFor("an n-plus-one in the view after the model edit", () => {
      const last = [...e.published].reverse().find((p) => p.uri === viewDoc.uri);
      return last && last.diagnostics.some((d) => d.code === "n-plus-one") ? last.diagnostics : undefined;
    });
    assert.equal(covered(viewDoc, ds[0]), "b.writer");
  });
});

describe("lsp: shutdown", () => {
  it("exits with code 0 after shutdown and exit", async () => {
    const root = copyExample();
    const e = await startEditor(root);
    await e.open(path.join(root, "catalog", "views.py"));
    await e.diagnostics(uriOf(path.join(root, "catalog", "views.py")), (d) => d.length > 0);
    const res = await e.conn.sendRequest(ShutdownRequest.type);
    assert.equal(res, null);
    await e.conn.sendNotification(ExitNotification.type);
    await waitFor("the server to exit", () => e.exitCode !== undefined, 5000);
    assert.equal(e.exitCode, 0);
    assert.doesNotMatch(e.stderr, /Error|at .*\.js:\d+/);
  });

  it("exits (code 1) on exit without shutdown", async () => {
    const root = copyExample();
    const e = await startEditor(root);
    await e.conn.sendNotification(ExitNotification.type);
    await waitFor("the server to exit", () => e.exitCode !== undefined, 5000);
    assert.equal(e.exitCode, 1);
  });
});
