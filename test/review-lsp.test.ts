/**
 * Review before commit, language server (issue 7), over stdio as an editor talks to it: the "check workspace" and
 * "check changed files" commands fill diagnostics for files that are not open, with work-done progress; the
 * djangoOrmHints.scope setting; diagnostics of closed files cleared when they are fixed, deleted or leave the
 * scope; LSP 3.17 workspace diagnostics for clients that pull.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import {
  ConfigurationRequest, createProtocolConnection, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification,
  DidOpenTextDocumentNotification, ExecuteCommandRequest, ExitNotification, FileChangeType, InitializedNotification,
  InitializeRequest, LogMessageNotification, PublishDiagnosticsNotification, RegistrationRequest, ShowMessageNotification,
  ShowMessageRequest, ShutdownRequest, StreamMessageReader, StreamMessageWriter, WorkDoneProgress, WorkDoneProgressCreateRequest,
  WorkspaceDiagnosticRequest, DocumentDiagnosticRequest,
  type ClientCapabilities, type InitializeResult, type ProtocolConnection, type PublishDiagnosticsParams,
  type WorkDoneProgressBegin, type WorkDoneProgressEnd, type WorkDoneProgressReport, type WorkspaceDocumentDiagnosticReport,
} from "vscode-languageserver-protocol/node";
import { CHECK_CHANGED_FILES, CHECK_WORKSPACE } from "../server/src/lsp/review";
import { CLI, EXAMPLE, tempDir, uriOf, waitFor as waitUntil } from "./helpers";

const TIMEOUT = 20000;

const waitFor = <T>(what: string, get: () => T | undefined | null | false, timeout = TIMEOUT): Promise<T> => waitUntil(what, get, timeout);

type Progress = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

class Editor {
  readonly proc: ChildProcess;
  readonly conn: ProtocolConnection;
  readonly published: PublishDiagnosticsParams[] = [];
  readonly progress = new Map<string, Progress[]>();
  readonly messages: string[] = [];
  stderr = "";

  constructor(readonly root: string, public settings: Record<string, unknown> = {}) {
    this.proc = spawn(process.execPath, [CLI, "lsp", "--stdio"], { cwd: root, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, DJANGO_ORM_HINTS_DEBUG: "" } });
    this.proc.stderr!.on("data", (d) => (this.stderr += String(d)));
    this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => void this.published.push(p));
    this.conn.onRequest(ConfigurationRequest.type, (p) => p.items.map((item) => (item.section === "djangoOrmHints" ? this.settings : null)));
    this.conn.onRequest(RegistrationRequest.type, () => null);
    this.conn.onRequest(ShowMessageRequest.type, (p) => void this.messages.push(p.message));
    this.conn.onNotification(ShowMessageNotification.type, (p) => void this.messages.push(p.message));
    this.conn.onNotification(LogMessageNotification.type, () => undefined);
    this.conn.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
      const list: Progress[] = [];
      this.progress.set(String(token), list);
      this.conn.onProgress(WorkDoneProgress.type, token, (v) => void list.push(v));
      return null;
    });
    this.conn.listen();
  }

  async start(pull = false): Promise<InitializeResult> {
    const capabilities: ClientCapabilities = {
      workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: true }, ...(pull ? { diagnostics: { refreshSupport: true } } : {}) },
      textDocument: { publishDiagnostics: { relatedInformation: true }, ...(pull ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}) },
      window: { workDoneProgress: true, showMessage: {} },
    };
    const result = await this.conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: uriOf(this.root), workspaceFolders: [{ uri: uriOf(this.root), name: "ws" }], capabilities });
    await this.conn.sendNotification(InitializedNotification.type, {});
    return result;
  }

  /** The last diagnostics published for a file, if any were. */
  last(file: string): PublishDiagnosticsParams | undefined {
    const uri = uriOf(file);
    return [...this.published].reverse().find((p) => p.uri === uri);
  }

  async waitDiagnostics(file: string, what: (p: PublishDiagnosticsParams) => boolean, label: string): Promise<PublishDiagnosticsParams> {
    return waitFor(`${label} (${path.relative(this.root, file)})`, () => {
      const p = this.last(file);
      return p && what(p) ? p : undefined;
    });
  }

  command(command: string): Promise<{ files: number; hints: number; filesWithHints: number; cancelled: boolean; scope: string }> {
    return this.conn.sendRequest(ExecuteCommandRequest.type, { command, arguments: [] }) as Promise<never>;
  }

  async watched(changes: { file: string; type: FileChangeType }[]): Promise<void> {
    await this.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: changes.map((c) => ({ uri: uriOf(c.file), type: c.type })) });
  }

  async configure(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: {} });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification(ExitNotification.type);
    } catch {
      // already gone
    }
    this.conn.dispose();
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

const editors: Editor[] = [];
after(async () => {
  for (const e of editors) await e.stop();
});

function exampleCopy(): string {
  const dir = path.join(tempDir("orm-hints-review-lsp-"), "example");
  fs.cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" });
}

const VIEWS = (root: string) => path.join(root, "catalog", "views.py");
const ORDERS = (root: string) => path.join(root, "orders", "views.py");
const hasNPlusOneOn22 = (p: PublishDiagnosticsParams) => p.diagnostics.some((d) => d.code === "n-plus-one" && d.range.start.line === 21);

/** A small extra file with one N+1, and its fixed form. */
const EXTRA = `from catalog.models import Book


def titles():
    return [b.author.name for b in Book.objects.all()]
`;
const EXTRA_FIXED = EXTRA.replace("Book.objects.all()", 'Book.objects.select_related("author")');

describe("review lsp: commands", () => {
  it("'check workspace' publishes diagnostics for files that are not open, with progress; they go when fixed or deleted", async () => {
    const root = exampleCopy();
    const extra = path.join(root, "catalog", "extra.py");
    fs.writeFileSync(extra, EXTRA);
    const ed = new Editor(root);
    editors.push(ed);
    const init = await ed.start();
    assert.deepEqual(init.capabilities.executeCommandProvider?.commands.sort(), [CHECK_CHANGED_FILES, CHECK_WORKSPACE].sort());
    assert.equal(init.capabilities.diagnosticProvider, undefined, "no pull diagnostics for a client without them");

    const summary = await ed.command(CHECK_WORKSPACE);
    assert.equal(summary.cancelled, false);
    assert.ok(summary.files >= 20 && summary.hints > 0, JSON.stringify(summary));
    const views = await ed.waitDiagnostics(VIEWS(root), hasNPlusOneOn22, "n-plus-one on line 22 of the unopened catalog/views.py");
    const d = views.diagnostics.find((x) => x.code === "n-plus-one" && x.range.start.line === 21)!;
    assert.equal(d.source, "django-orm-hints");
    assert.ok(d.codeDescription?.href.includes("n-plus-one"));
    await ed.waitDiagnostics(ORDERS(root), (p) => p.diagnostics.some((x) => x.code === "queryset-in-loop"), "queryset-in-loop in orders/views.py");
    await ed.waitDiagnostics(extra, (p) => p.diagnostics.length === 1, "the extra file's N+1");
    assert.equal(ed.published.filter((p) => p.uri.endsWith("/catalog/__init__.py") && p.diagnostics.length).length, 0);

    // Progress: created by the server, begun (cancellable), reported with percentages, ended.
    const runs = [...ed.progress.values()].filter((l) => l.length);
    assert.ok(runs.length >= 1, "a work-done progress was created");
    const events = runs[runs.length - 1];
    assert.equal(events[0].kind, "begin");
    assert.equal((events[0] as WorkDoneProgressBegin).cancellable, true);
    const reports = events.filter((e): e is WorkDoneProgressReport => e.kind === "report");
    assert.ok(reports.length >= 1 && reports.every((r) => typeof r.percentage === "number" && r.percentage >= 0 && r.percentage <= 100));
    assert.equal(reports[reports.length - 1].percentage, 100);
    assert.equal(events[events.length - 1].kind, "end");

    // Fixed on disk: cleared.
    fs.writeFileSync(extra, EXTRA_FIXED);
    await ed.watched([{ file: extra, type: FileChangeType.Changed }]);
    await ed.waitDiagnostics(extra, (p) => p.diagnostics.length === 0, "cleared after the fix");

    // Deleted: cleared.
    fs.rmSync(VIEWS(root));
    await ed.watched([{ file: VIEWS(root), type: FileChangeType.Deleted }]);
    await ed.waitDiagnostics(VIEWS(root), (p) => p.diagnostics.length === 0, "cleared after the delete");
    // The others stay.
    assert.ok(ed.last(ORDERS(root))!.diagnostics.length > 0);
  });

  it("an open document keeps its own diagnostics; on close, the reviewed ones come back", async () => {
    const root = exampleCopy();
    const ed = new Editor(root, { scope: "workspace" });
    editors.push(ed);
    await ed.start();
    await ed.waitDiagnostics(VIEWS(root), hasNPlusOneOn22, "workspace scope fills catalog/views.py");
    const text = fs.readFileSync(VIEWS(root), "utf8").replace('f"{book.title} by {book.author.name}"', "book.title");
    const before = ed.published.length;
    await ed.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf(VIEWS(root)), languageId: "python", version: 1, text } });
    await waitFor("the open document's diagnostics", () => ed.published.slice(before).find((p) => p.uri === uriOf(VIEWS(root)) && p.version === 1));
    assert.ok(!hasNPlusOneOn22(ed.last(VIEWS(root))!), "the editor's text wins while open");
    await ed.conn.sendNotification("textDocument/didClose", { textDocument: { uri: uriOf(VIEWS(root)) } });
    await ed.waitDiagnostics(VIEWS(root), hasNPlusOneOn22, "the file's on-disk hints after close");
  });
});

describe("review lsp: scope setting", () => {
  it("changedFiles shows exactly git's changed files and stays current; leaving the scope clears; workspace shows all", async () => {
    const root = exampleCopy();
    git(root, "init", "-q");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "base");
    fs.appendFileSync(VIEWS(root), "\n# touched\n");

    const ed = new Editor(root, { scope: "changedFiles" });
    editors.push(ed);
    await ed.start();
    await ed.waitDiagnostics(VIEWS(root), hasNPlusOneOn22, "the modified, unopened catalog/views.py");
    assert.equal(ed.last(ORDERS(root)), undefined, "orders/views.py is unchanged: not reported");

    // A new untracked file shows up as it is created.
    const extra = path.join(root, "catalog", "extra.py");
    fs.writeFileSync(extra, EXTRA);
    await ed.watched([{ file: extra, type: FileChangeType.Created }]);
    await ed.waitDiagnostics(extra, (p) => p.diagnostics.length === 1, "the new untracked file");

    // Committed: no longer changed, so it leaves the scope.
    git(root, "add", "catalog/extra.py");
    git(root, "commit", "-q", "-m", "extra");
    await ed.watched([{ file: path.join(root, ".git", "index"), type: FileChangeType.Changed }]);
    await ed.waitDiagnostics(extra, (p) => p.diagnostics.length === 0, "cleared once committed");
    assert.ok(hasNPlusOneOn22(ed.last(VIEWS(root))!), "still changed: still shown");

    // openFiles: everything not open goes.
    await ed.configure({ scope: "openFiles" });
    await ed.waitDiagnostics(VIEWS(root), (p) => p.diagnostics.length === 0, "cleared when the scope becomes openFiles");

    // workspace: unchanged files too.
    await ed.configure({ scope: "workspace" });
    await ed.waitDiagnostics(ORDERS(root), (p) => p.diagnostics.length > 0, "orders/views.py under the workspace scope");
    await ed.waitDiagnostics(VIEWS(root), hasNPlusOneOn22, "catalog/views.py under the workspace scope");

    // 'check changed files' narrows to git's changed files again.
    const s = await ed.command(CHECK_CHANGED_FILES);
    assert.equal(s.scope, "changedFiles");
    assert.equal(s.files, 1, JSON.stringify(s));
    await ed.waitDiagnostics(ORDERS(root), (p) => p.diagnostics.length === 0, "orders/views.py leaves with the narrower set");
    assert.ok(hasNPlusOneOn22(ed.last(VIEWS(root))!));
  });

  it("a bad scope value is reported, naming the setting, and openFiles is used", async () => {
    const root = exampleCopy();
    const ed = new Editor(root, { scope: "everything" });
    editors.push(ed);
    await ed.start();
    await waitFor("a message naming djangoOrmHints.scope", () => ed.messages.find((m) => /djangoOrmHints\.scope/.test(m)));
    const s = await ed.command(CHECK_WORKSPACE);
    assert.equal(s.scope, "workspace");
  });

  it("reads pyproject.toml: exclude and severity apply to reviewed files; editor settings override it", async () => {
    const root = exampleCopy();
    fs.writeFileSync(path.join(root, "pyproject.toml"), `[tool.django-orm-hints]\nexclude = ["orders/"]\n\n[tool.django-orm-hints.severity]\nn-plus-one = "error"\n`);
    const ed = new Editor(root, { scope: "workspace" });
    editors.push(ed);
    await ed.start();
    const p = await ed.waitDiagnostics(VIEWS(root), hasNPlusOneOn22, "catalog/views.py");
    assert.equal(p.diagnostics.find((d) => d.code === "n-plus-one")!.severity, 1, "error from pyproject.toml");
    assert.equal(ed.last(ORDERS(root)), undefined, "orders/ is excluded");
    await ed.configure({ scope: "workspace", rules: { "n-plus-one": "information" } });
    await ed.waitDiagnostics(VIEWS(root), (x) => x.diagnostics.some((d) => d.code === "n-plus-one" && d.severity === 3), "the editor setting wins");
  });
});

describe("review lsp: workspace diagnostics (pull)", () => {
  it("answers workspace/diagnostic with the reviewed files, holds it until something changes, and reports a deleted file empty", async () => {
    const root = exampleCopy();
    const ed = new Editor(root);
    editors.push(ed);
    const init = await ed.start(true);
    assert.equal(init.capabilities.diagnosticProvider && "workspaceDiagnostics" in init.capabilities.diagnosticProvider && init.capabilities.diagnosticProvider.workspaceDiagnostics, true);
    const s = await ed.command(CHECK_WORKSPACE);
    assert.ok(s.hints > 0);
    const first = await ed.conn.sendRequest(WorkspaceDiagnosticRequest.type, { previousResultIds: [] });
    const views = first.items.find((i) => i.uri === uriOf(VIEWS(root))) as WorkspaceDocumentDiagnosticReport & { items: { code?: unknown; range: { start: { line: number } } }[] };
    assert.ok(views && views.kind === "full", "a full report for catalog/views.py");
    assert.ok(views.items.some((d) => d.code === "n-plus-one" && d.range.start.line === 21));
    assert.ok(!ed.published.some((p) => p.uri === uriOf(VIEWS(root))), "nothing pushed for it");

    // Document pull of an unopened reviewed file gives the same report.
    const doc = await ed.conn.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri: uriOf(VIEWS(root)) } });
    assert.equal(doc.kind, "full");
    assert.equal(doc.kind === "full" && doc.resultId, views.resultId);

    // With every result id known, the request is held until something changes.
    const known = first.items.map((i) => ({ uri: i.uri, value: i.resultId! }));
    let settled = false;
    const held = ed.conn.sendRequest(WorkspaceDiagnosticRequest.type, { previousResultIds: known }).then((r) => {
      settled = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settled, false, "held while nothing changes");
    fs.rmSync(VIEWS(root));
    await ed.watched([{ file: VIEWS(root), type: FileChangeType.Deleted }]);
    const next = await held;
    assert.deepEqual(next.items.map((i) => [i.uri, i.kind, i.kind === "full" ? i.items.length : -1]), [[uriOf(VIEWS(root)), "full", 0]]);
  });
});
