/**
 * The language server: wiring only. Documents are parsed incrementally, analyzed after a short debounce, and
 * superseded analyses are dropped. Code actions come from the fixes carried in each diagnostic's data.
 */
import * as path from "path";
import {
  CodeAction, CodeActionKind, CodeActionParams, Connection, Diagnostic, DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification, FileChangeType, InitializeParams, TextDocumentSyncKind,
} from "vscode-languageserver";
import { createConnection } from "vscode-languageserver/node";
import { RULES } from "../../../rules";
import { applyFixRounds } from "../engine/fixall";
import { suppressionEdit } from "../engine/fixes";
import { IncrementalDocument, initParser, type TextChange } from "../engine/parser";
import { LineIndex } from "../engine/positions";
import { formatBytes, Project } from "../engine/project";
import type { Hint } from "../engine/types";
import { fileOf, toDiagnostic, toQuickFix, uriOf, type DiagnosticData } from "./convert";
import { isGitInternal, resolveSettings, WorkspaceReview } from "./review";

interface OpenDoc {
  uri: string;
  file: string;
  version: number;
  doc: IncrementalDocument;
  timer: NodeJS.Timeout | null;
  hints: Hint[];
  published: number;
}

/**
 * A change to a document with no analysis pending is analyzed at once (re-analysis after one keystroke takes a
 * few milliseconds). Changes that arrive while one is pending are a burst (a paste in parts, a tool's edits,
 * messages queued behind a long analysis) and wait until the burst pauses for this many milliseconds.
 */
export const DEBOUNCE_MS = 25;

export function startServer(connection: Connection = createConnection()): Connection {
  let project = new Project([], RULES);
  project.incremental = true;
  const docs = new Map<string, OpenDoc>();
  let hasConfigCapability = false;
  let hasWatchCapability = false;
  let ready = false;
  let markReady: () => void = () => undefined;
  const whenReady = new Promise<void>((resolve) => (markReady = resolve));
  const isOpen = (file: string) => [...docs.values()].some((d) => d.file === file);
  const review = new WorkspaceReview({ connection, project: () => project, isOpen, whenReady: () => whenReady });
  const shown = new Set<string>();
  let noticesSeen = 0;

  const say = (message: string) => {
    if (shown.has(message)) return;
    shown.add(message);
    connection.console.warn(message);
    void connection.window.showWarningMessage(`Django ORM Hints: ${message}`);
  };
  const flushNotices = () => {
    for (const n of project.notices.slice(noticesSeen)) connection.console.info(`${n.file ? `${n.file}: ` : ""}${n.message}`);
    noticesSeen = project.notices.length;
  };

  const analyze = (d: OpenDoc) => {
    d.timer = null;
    const version = d.version;
    let hints: Hint[] = [];
    try {
      const bytes = Buffer.byteLength(d.doc.text, "utf8");
      if (bytes > project.config.maxFileBytes) {
        // Too big to analyze as you type: said once (notices are deduplicated), and nothing is published.
        project.notice(`skipped: ${formatBytes(bytes)} is over the ${formatBytes(project.config.maxFileBytes)} limit (setting maxFileSize)`, d.file);
        flushNotices();
        void connection.sendDiagnostics({ uri: d.uri, version, diagnostics: [] });
        return;
      }
      const syntax = d.doc.syntax();
      const staleBefore = project.indexFresh;
      hints = review.isExcluded(d.file) ? [] : project.analyze(d.file, d.doc.text, syntax);
      // An edit to a model file changes what other open files mean.
      if (staleBefore && !project.indexFresh) {
        /* unreachable: analyze() rebuilds */
      }
    } catch (e) {
      connection.console.error(`analysis of ${d.file} failed: ${(e as Error).stack ?? e}`);
      return;
    }
    flushNotices();
    if (!docs.has(d.uri) || d.version !== version) return; // superseded
    d.hints = hints;
    d.published = version;
    const diagnostics = hints.filter((h) => h.file === d.file).map(toDiagnostic);
    void connection.sendDiagnostics({ uri: d.uri, version, diagnostics });
    publishForeign(d.uri, hints.filter((h) => h.file !== d.file));
  };

  // Hints that a document's analysis places in other files (templates rendered by a view), by target URI and
  // by the document they came from, so each target shows the union and loses a source's hints when it changes.
  const foreign = new Map<string, Map<string, Diagnostic[]>>();
  const publishForeign = (sourceUri: string, hints: Hint[]) => {
    const byTarget = new Map<string, Diagnostic[]>();
    for (const h of hints) {
      const uri = uriOf(h.file);
      if (docs.has(uri)) continue;
      const list = byTarget.get(uri) ?? [];
      list.push(toDiagnostic(h));
      byTarget.set(uri, list);
    }
    const touched = new Set<string>(byTarget.keys());
    for (const [target, sources] of foreign) if (sources.has(sourceUri) && !byTarget.has(target)) touched.add(target);
    for (const target of touched) {
      const sources = foreign.get(target) ?? new Map<string, Diagnostic[]>();
      if (byTarget.has(target)) sources.set(sourceUri, byTarget.get(target)!);
      else sources.delete(sourceUri);
      if (sources.size) foreign.set(target, sources);
      else foreign.delete(target);
      // Several views rendering one template (or one base.html) find its hint each: show it once.
      const seen = new Set<string>();
      const diagnostics = [...sources.values()].flat().filter((x) => {
        const key = `${x.code}:${x.range.start.line}:${x.range.start.character}:${x.range.end.line}:${x.range.end.character}:${x.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      void connection.sendDiagnostics({ uri: target, diagnostics });
    }
  };

  const schedule = (d: OpenDoc, delay = DEBOUNCE_MS) => {
    if (d.timer) clearTimeout(d.timer);
    d.timer = setTimeout(() => {
      d.timer = null;
      if (!ready) return schedule(d, 50);
      const before = project.index;
      const version = before.version;
      analyze(d);
      // An edit to a model file changes what other open files mean.
      if (project.index !== before || project.index.version !== version) {
        for (const other of docs.values()) if (other !== d) schedule(other);
        review.indexChanged();
      }
    }, delay);
  };

  const loadConfig = async () => {
    let raw: unknown;
    if (hasConfigCapability) {
      try {
        raw = await connection.workspace.getConfiguration({ section: "djangoOrmHints" });
      } catch {
        raw = undefined;
      }
    }
    // pyproject.toml [tool.django-orm-hints], then the editor's settings over it.
    const settings = resolveSettings(raw, project.roots);
    for (const p of settings.problems) say(p);
    project.config = settings.config;
    review.setSettings(settings.scope, settings.excluded);
  };

  connection.onInitialize((params: InitializeParams) => {
    hasConfigCapability = !!params.capabilities.workspace?.configuration;
    hasWatchCapability = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    const roots = (params.workspaceFolders ?? []).map((f) => fileOf(f.uri)).filter((p) => path.isAbsolute(p));
    if (!roots.length && params.rootUri) roots.push(fileOf(params.rootUri));
    else if (!roots.length && params.rootPath) roots.push(params.rootPath);
    project = new Project(roots, RULES);
    // Re-analysis after an edit re-examines only what the edit can have changed.
    project.incremental = true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, `${CodeActionKind.SourceFixAll}.djangoOrmHints`] },
        workspace: { workspaceFolders: { supported: true } },
        ...review.capabilities(params),
      },
      serverInfo: { name: "django-orm-hints", version: "0.1.0" },
    };
  });

  connection.onInitialized(async () => {
    if (hasConfigCapability) void connection.client.register(DidChangeConfigurationNotification.type, { section: "djangoOrmHints" });
    if (hasWatchCapability) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: "**/*.py" }, { globPattern: "**/templates/**" }, { globPattern: "**/pyproject.toml" }, { globPattern: "**/.git/index" }, { globPattern: "**/.git/HEAD" }] });
    const started = Date.now();
    await initParser();
    await loadConfig();
    for (const d of docs.values()) project.setOverlay(d.file, d.doc.text);
    const { files } = project.scan();
    flushNotices();
    connection.console.info(`indexed ${files} Python files in ${Date.now() - started} ms; ${project.index.models.filter((m) => !m.builtin).length} models`);
    ready = true;
    markReady();
    review.start();
    for (const d of docs.values()) schedule(d, 0);
  });

  connection.onDidChangeConfiguration(async () => {
    await loadConfig();
    for (const d of docs.values()) schedule(d, 0);
  });

  connection.onDidOpenTextDocument(({ textDocument }) => {
    if (textDocument.languageId !== "python" && !textDocument.uri.endsWith(".py")) return;
    const d: OpenDoc = { uri: textDocument.uri, file: fileOf(textDocument.uri), version: textDocument.version, doc: new IncrementalDocument(textDocument.text), timer: null, hints: [], published: -1 };
    docs.set(d.uri, d);
    project.setOverlay(d.file, textDocument.text);
    review.onOpen(d.file);
    schedule(d, 0);
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const d = docs.get(textDocument.uri);
    if (!d) return;
    for (const change of contentChanges) {
      if ("range" in change) {
        const li = new LineIndex(d.doc.text);
        const c: TextChange = { start: li.offsetAt(change.range.start), end: li.offsetAt(change.range.end), text: change.text };
        d.doc.applyChanges([c]);
      } else d.doc.replaceText(change.text);
    }
    d.version = textDocument.version;
    project.setOverlay(d.file, d.doc.text);
    schedule(d, d.timer ? DEBOUNCE_MS : 0);
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    const d = docs.get(textDocument.uri);
    if (!d) return;
    if (d.timer) clearTimeout(d.timer);
    d.doc.dispose();
    docs.delete(textDocument.uri);
    project.setOverlay(d.file, null);
    project.indexFile(d.file);
    void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
    publishForeign(textDocument.uri, []);
    review.onClose(d.file);
  });

  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    let touched = false;
    let settingsChanged = false;
    for (const c of changes) {
      const file = fileOf(c.uri);
      if (isGitInternal(file)) continue; // only the review cares (which files are changed)
      if (path.basename(file) === "pyproject.toml") {
        settingsChanged = true;
        continue;
      }
      if (!file.endsWith(".py")) {
        // A template changed (or appeared): forget what was looked up in templates.
        project.invalidate();
        touched = true;
        continue;
      }
      if (docs.has(c.uri)) continue; // the editor's text wins
      if (c.type === FileChangeType.Deleted) project.removeFile(file);
      else project.indexFile(file);
      touched = true;
    }
    review.onWatchedFiles(changes);
    if (settingsChanged) await loadConfig();
    if (touched || settingsChanged) for (const d of docs.values()) schedule(d);
  });

  connection.onCodeAction((params: CodeActionParams): CodeAction[] => {
    const d = docs.get(params.textDocument.uri);
    if (!d) {
      // A file the server does not hold as a Python document (a template): its fixes edit the view.
      return params.context.diagnostics
        .filter((diag) => diag.source === "django-orm-hints")
        .flatMap((diag) => ((diag.data as DiagnosticData | undefined)?.fixes ?? []).map((f, i) => toQuickFix(f, diag, f.safe && i === 0)));
    }
    const only = params.context.only;
    const actions: CodeAction[] = [];
    const wantsFixAll = only?.some((k) => k === CodeActionKind.SourceFixAll || k.startsWith(`${CodeActionKind.SourceFixAll}.`) || k === CodeActionKind.Source);
    if (wantsFixAll) {
      const result = applyFixRounds(d.doc.text, (text) => project.analyze(d.file, text).filter((h) => h.file === d.file), d.file);
      project.indexText(d.file, d.doc.text);
      if (result.text !== d.doc.text) {
        const li = new LineIndex(d.doc.text);
        actions.push({ title: "Django ORM Hints: fix all safe hints", kind: CodeActionKind.SourceFixAll, edit: { changes: { [d.uri]: [{ range: li.rangeAt(result.start, result.oldEnd), newText: result.text.slice(result.start, result.newEnd) }] } } });
      }
      if (only?.every((k) => k.startsWith(CodeActionKind.Source))) return actions;
    }
    if (only && !only.some((k) => k === CodeActionKind.QuickFix || k.startsWith(`${CodeActionKind.QuickFix}.`))) return actions;
    const li = new LineIndex(d.doc.text);
    for (const diag of params.context.diagnostics) {
      if (diag.source !== "django-orm-hints") continue;
      const data = diag.data as DiagnosticData | undefined;
      const fixes = data?.fixes ?? [];
      fixes.forEach((f, i) => actions.push(toQuickFix(f, diag, f.safe && i === 0)));
      const code = String(diag.code);
      const line = diag.range.start.line;
      const e = suppressionEdit(li.line(line), li.lineEnd(line), li.lineStart(line), code);
      actions.push({ title: `Ignore ${code} on this line`, kind: CodeActionKind.QuickFix, diagnostics: [diag], edit: { changes: { [d.uri]: [{ range: li.rangeAt(e.start, e.end), newText: e.newText }] } } });
      actions.push({ title: `Show documentation for ${code}`, kind: CodeActionKind.Empty, diagnostics: [diag], command: { title: "Open docs", command: "djangoOrmHints.openDocs", arguments: [diag.codeDescription?.href] } });
    }
    return actions;
  });

  connection.onShutdown(() => {
    for (const d of docs.values()) {
      if (d.timer) clearTimeout(d.timer);
      d.doc.dispose();
    }
    docs.clear();
  });

  review.register();
  connection.listen();
  return connection;
}

export type { Diagnostic };
export { uriOf };
