/**
 * Workspace review: diagnostics for files that are not open, for "problems-panel review before commit".
 *
 * - Scope (setting `djangoOrmHints.scope`): `openFiles` (nothing here), `changedFiles` (git's changed files:
 *   modified, staged, untracked) or `workspace` (every Python file below the workspace folders). The commands
 *   "Check workspace" / "Check changed files" run a full pass with progress and keep that set current until the
 *   scope setting changes.
 * - Passes are incremental: a file is analyzed again only when it changed on disk, the model index changed, the
 *   configuration changed, or a template changed. Files that leave the set, are deleted or are fixed lose their
 *   diagnostics.
 * - Delivery: LSP 3.17 workspace diagnostics (`workspace/diagnostic`, held open until something changes, with
 *   partial results when the client asks for them) where the client supports them; otherwise
 *   `textDocument/publishDiagnostics`. Open documents always get their diagnostics from the server's push pipeline,
 *   so pulled reports for them are empty (no duplicates in the Problems panel).
 *
 * Also here: the server's settings, layered as pyproject.toml < editor settings.
 */
import * as fs from "fs";
import * as path from "path";
import {
  type CancellationToken, type Connection, type Diagnostic, type DocumentDiagnosticReport, type FileEvent, FileChangeType,
  type InitializeParams, type ServerCapabilities, type WorkDoneProgressServerReporter, type WorkspaceDiagnosticReport,
  type WorkspaceDocumentDiagnosticReport,
} from "vscode-languageserver";
import { RULE_IDS } from "../../../rules";
import { changedFiles } from "../cli/git";
import { resolveConfig, type Config } from "../engine/config";
import type { ModelIndex } from "../engine/models";
import type { Project } from "../engine/project";
import { excludeMatcher, loadPyproject, settingsToConfig, emptySettings, type PyprojectConfig } from "../engine/pyproject";
import { fileOf, toDiagnostic, uriOf } from "./convert";

export const SCOPES = ["openFiles", "changedFiles", "workspace"] as const;
export type Scope = (typeof SCOPES)[number];

/** Server-side command ids (the client's own commands, djangoOrmHints.check*, send these). */
export const CHECK_WORKSPACE = "djangoOrmHints.server.checkWorkspace";
export const CHECK_CHANGED_FILES = "djangoOrmHints.server.checkChangedFiles";

// ---------------------------------------------------------------------------------------------------------------
// Settings: pyproject.toml, then the editor's settings over it.

/** Defaults declared in package.json: an editor value equal to its default does not override pyproject.toml. */
const EDITOR_DEFAULTS: Record<string, unknown> = { wideModelThreshold: 8, maxFileSize: 2 * 1024 * 1024 };

export interface ServerSettings {
  config: Config;
  scope: Scope;
  excluded: (file: string) => boolean;
  /** Messages naming the file or setting and the key. */
  problems: string[];
  /** pyproject.toml files read. */
  pyprojects: string[];
}

export function resolveSettings(raw: unknown, roots: readonly string[]): ServerSettings {
  const problems: string[] = [];
  const found: PyprojectConfig[] = [];
  for (const root of roots) {
    const py = loadPyproject(root, RULE_IDS);
    problems.push(...py.problems);
    if (py.file) found.push(py);
  }
  // The first workspace folder with a configuration decides the rules; each folder's exclude applies below it.
  const base = found[0] ? found[0].config : settingsToConfig(emptySettings(), RULE_IDS);
  const matchers = found.map((py) => excludeMatcher(py.dir, py.settings.exclude));
  const excluded = (file: string) => matchers.some((m) => m(file));

  let editor: unknown = raw;
  let scope: Scope = "openFiles";
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    const r: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
    if (r.rules && typeof r.rules === "object" && !Array.isArray(r.rules)) r.rules = Object.fromEntries(Object.entries(r.rules as Record<string, unknown>).filter(([, v]) => v !== "default"));
    for (const [k, v] of Object.entries(EDITOR_DEFAULTS)) if (r[k] === v) delete r[k];
    if (r.scope !== undefined && r.scope !== null) {
      if (typeof r.scope === "string" && (SCOPES as readonly string[]).includes(r.scope)) scope = r.scope as Scope;
      else problems.push(`setting djangoOrmHints.scope: expected one of ${SCOPES.join(", ")}, got ${JSON.stringify(r.scope)}; using openFiles`);
    }
    editor = r;
  }
  const resolved = resolveConfig(editor, RULE_IDS, base);
  problems.push(...resolved.problems.map((p) => `setting djangoOrmHints.${p}`));
  return { config: resolved.config, scope, excluded, problems, pyprojects: found.map((f) => f.file!) };
}

// ---------------------------------------------------------------------------------------------------------------
// The review

export interface ReviewHost {
  connection: Connection;
  project(): Project;
  /** Is the file open in the editor (then the server's own pipeline reports it)? */
  isOpen(file: string): boolean;
  /** Resolves once the workspace is indexed. */
  whenReady(): Promise<void>;
}

export interface ReviewSummary {
  scope: Scope;
  /** Files in the set (open ones included). */
  files: number;
  /** Hints in files that are not open. */
  hints: number;
  filesWithHints: number;
  cancelled: boolean;
}

interface Entry {
  file: string;
  uri: string;
  items: Diagnostic[];
  resultId: string;
  /** The index (and its version) the items were computed with; another one means they may be stale. */
  index: ModelIndex | null;
  indexVersion: number;
  /** Push mode: the client currently shows non-empty diagnostics from us for this uri. */
  shown: boolean;
}

interface Request {
  progress: boolean;
  waiters: ((s: ReviewSummary) => void)[];
}

/** How long a workspace/diagnostic request is held open while nothing changes. */
export const HOLD_MS = 30_000;
export const DEBOUNCE_MS = 250;

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

export class WorkspaceReview {
  private scope: Scope = "openFiles";
  /** Set by a command; wins over the scope setting until that changes. */
  private override: Scope | null = null;
  private excluded: (file: string) => boolean = () => false;
  private readonly entries = new Map<string, Entry>();
  private pull = false;
  private started = false;
  private nextId = 1;
  /** Files to analyze again, and whether everything must be. */
  private readonly dirty = new Set<string>();
  private allStale = true;
  private timer: NodeJS.Timeout | null = null;
  private pending: Request | null = null;
  private looping = false;
  private readonly waiters = new Set<() => void>();
  private readonly warned = new Set<string>();

  constructor(private readonly host: ReviewHost) {}

  private get connection(): Connection {
    return this.host.connection;
  }

  get mode(): Scope {
    return this.override ?? this.scope;
  }

  get usesPull(): boolean {
    return this.pull;
  }

  isExcluded(file: string): boolean {
    return this.excluded(file);
  }

  /** Server capabilities to merge into the initialize result. */
  capabilities(params: InitializeParams): ServerCapabilities {
    const c = params.capabilities;
    this.pull = !!c.textDocument?.diagnostic && !!c.workspace?.diagnostics;
    const caps: ServerCapabilities = { executeCommandProvider: { commands: [CHECK_WORKSPACE, CHECK_CHANGED_FILES] } };
    if (this.pull) caps.diagnosticProvider = { identifier: "django-orm-hints", interFileDependencies: true, workspaceDiagnostics: true };
    return caps;
  }

  /** Registers the request handlers; call once, before listen(). */
  register(): void {
    this.connection.onExecuteCommand(async (params) => {
      if (params.command === CHECK_WORKSPACE) this.override = "workspace";
      else if (params.command === CHECK_CHANGED_FILES) this.override = "changedFiles";
      else return null;
      this.allStale = true;
      return this.request(true);
    });
    this.connection.languages.diagnostics.on((params): DocumentDiagnosticReport => {
      const uri = uriOf(fileOf(params.textDocument.uri));
      const e = this.entries.get(uri);
      const id = this.effectiveId(fileOf(uri), e);
      if (id !== undefined && params.previousResultId === id) return { kind: "unchanged", resultId: id };
      return { kind: "full", resultId: id, items: e && !this.host.isOpen(e.file) ? e.items : [] };
    });
    this.connection.languages.diagnostics.onWorkspace(async (params, token, _workDone, partial): Promise<WorkspaceDiagnosticReport> => {
      const known = new Map(params.previousResultIds.map((p) => [uriOf(fileOf(p.uri)), p.value]));
      const deadline = Date.now() + HOLD_MS;
      for (;;) {
        const items = this.reportsSince(known);
        if (items.length) {
          if (!partial) return { items };
          partial.report({ items });
          for (const it of items) known.set(it.uri, it.resultId!);
        }
        const left = deadline - Date.now();
        if (token.isCancellationRequested || left <= 0) return { items: [] };
        await this.changed(token, left);
      }
    });
  }

  /** Settings changed (or were read the first time). */
  setSettings(scope: Scope, excluded: (file: string) => boolean): void {
    const scopeChanged = scope !== this.scope;
    this.scope = scope;
    this.excluded = excluded;
    if (scopeChanged) this.override = null;
    this.allStale = true;
    if (this.started && (this.mode !== "openFiles" || this.entries.size)) void this.request(scopeChanged && scope !== "openFiles");
  }

  /** The workspace is indexed: the first pass of a changedFiles/workspace scope. */
  start(): void {
    this.started = true;
    if (this.mode !== "openFiles") void this.request(true);
  }

  /** The model index changed (an edited model file): every reviewed file may read differently. */
  indexChanged(): void {
    if (this.active) this.schedule();
  }

  /** Files changed on disk (after the server updated the index). */
  onWatchedFiles(changes: FileEvent[]): void {
    let any = false;
    for (const c of changes) {
      const file = fileOf(c.uri);
      if (isGitInternal(file)) {
        any = any || this.mode === "changedFiles";
        continue;
      }
      if (path.basename(file) === "pyproject.toml") continue; // the server reloads the settings
      if (file.endsWith(".py")) {
        if (c.type === FileChangeType.Deleted) {
          const e = this.entries.get(uriOf(file));
          if (e) this.drop(e);
        } else if (this.active) this.dirty.add(file);
        any = true;
      } else {
        // A template (or a folder): rules that read templates may say something else anywhere.
        this.allStale = true;
        any = true;
      }
    }
    if (any && this.active) this.schedule();
  }

  onOpen(file: string): void {
    if (this.pull && this.entries.has(uriOf(file))) this.wake();
  }

  /** After the server cleared a closed document's diagnostics: show the reviewed ones from disk again. */
  onClose(file: string): void {
    const e = this.entries.get(uriOf(file));
    if (e) {
      if (this.pull) this.wake();
      else if (e.items.length) {
        void this.connection.sendDiagnostics({ uri: e.uri, diagnostics: e.items });
        e.shown = true;
      }
    }
    if (this.active) {
      this.dirty.add(file); // unsaved edits were discarded, or saved: read the disk again
      this.schedule();
    }
  }

  private get active(): boolean {
    return this.started && (this.mode !== "openFiles" || this.entries.size > 0);
  }

  private schedule(delay = DEBOUNCE_MS): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.request(false);
    }, delay);
  }

  /** Queues a pass (merged with one already queued); resolves when it ran. */
  request(progress: boolean): Promise<ReviewSummary> {
    return new Promise((resolve) => {
      this.pending ??= { progress: false, waiters: [] };
      this.pending.progress ||= progress;
      this.pending.waiters.push(resolve);
      if (!this.looping) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.looping = true;
    try {
      while (this.pending) {
        const req = this.pending;
        this.pending = null;
        let summary: ReviewSummary;
        try {
          summary = await this.pass(req.progress);
        } catch (e) {
          this.connection.console.error(`workspace review failed: ${(e as Error).stack ?? e}`);
          summary = { scope: this.mode, files: 0, hints: 0, filesWithHints: 0, cancelled: true };
        }
        for (const w of req.waiters) w(summary);
      }
    } finally {
      this.looping = false;
    }
  }

  private async targets(mode: Scope): Promise<string[]> {
    if (mode === "openFiles") return [];
    const project = this.host.project();
    if (mode === "workspace") return project.files().filter((f) => f.endsWith(".py") && project.rootOf(f) !== undefined && !this.excluded(f));
    const out = new Set<string>();
    for (const root of project.roots) {
      try {
        const realRoot = fs.realpathSync(root);
        for (const f of (await changedFiles(root, "HEAD", ".py")).files) {
          const rel = path.relative(realRoot, f);
          if (rel && !rel.startsWith("..") && !path.isAbsolute(rel)) out.add(path.join(root, rel));
        }
      } catch (e) {
        this.warnOnce(`Check changed files: ${(e as Error).message}`);
      }
    }
    return [...out].filter((f) => !this.excluded(f)).sort();
  }

  private async pass(progress: boolean): Promise<ReviewSummary> {
    await this.host.whenReady();
    const mode = this.mode;
    let reporter: WorkDoneProgressServerReporter | null = null;
    if (progress) {
      try {
        reporter = await this.connection.window.createWorkDoneProgress();
        reporter.begin(mode === "changedFiles" ? "Django ORM Hints: checking changed files" : "Django ORM Hints: checking the workspace", 0, "listing files", true);
      } catch {
        reporter = null;
      }
    }
    let cancelled = false;
    let hints = 0;
    let filesWithHints = 0;
    let files: string[] = [];
    try {
      files = await this.targets(mode);
      const inSet = new Set(files.map(uriOf));
      for (const e of [...this.entries.values()]) if (!inSet.has(e.uri)) this.drop(e);
      const stale = this.allStale;
      this.allStale = false;
      const project = this.host.project();
      let analyzed = 0;
      let lastPct = -1;
      for (let i = 0; i < files.length; i++) {
        if (reporter?.token.isCancellationRequested) {
          cancelled = true;
          break;
        }
        const file = files[i];
        const uri = uriOf(file);
        let e = this.entries.get(uri);
        if (!this.host.isOpen(file) && (stale || !e || e.index === null || this.dirty.has(file) || e.index !== project.index || e.indexVersion !== project.index.version)) {
          this.dirty.delete(file);
          let items: Diagnostic[] = [];
          const text = project.textOf(file);
          if (text !== null) {
            try {
              items = project.analyze(file, text).filter((h) => h.file === file).map(toDiagnostic);
            } catch (err) {
              this.connection.console.error(`analysis of ${file} failed: ${(err as Error).stack ?? err}`);
            }
          }
          e = this.setReport(file, items, project.index);
          analyzed++;
          const pct = Math.floor(((i + 1) * 100) / files.length);
          if (reporter && pct !== lastPct) {
            lastPct = pct;
            reporter.report(pct, `${i + 1}/${files.length} files`);
          }
          if (analyzed % 8 === 0) await yieldNow(); // lets cancellation and file events in
        }
        if (e && !this.host.isOpen(file) && e.items.length) {
          hints += e.items.length;
          filesWithHints++;
        }
      }
      if (cancelled && stale) this.allStale = true;
    } finally {
      reporter?.done();
    }
    return { scope: mode, files: files.length, hints, filesWithHints, cancelled };
  }

  /** Records a file's diagnostics and delivers them when they differ. */
  private setReport(file: string, items: Diagnostic[], index: ModelIndex | null): Entry {
    const uri = uriOf(file);
    const prev = this.entries.get(uri);
    const indexVersion = index?.version ?? -1;
    if (prev && JSON.stringify(prev.items) === JSON.stringify(items)) {
      prev.index = index;
      prev.indexVersion = indexVersion;
      return prev;
    }
    const e: Entry = { file, uri, items, index, indexVersion, resultId: String(this.nextId++), shown: prev?.shown ?? false };
    this.entries.set(uri, e);
    this.deliver(e);
    return e;
  }

  /** A file left the set (or was deleted): its diagnostics go. */
  private drop(e: Entry): void {
    if (e.items.length) {
      e.items = [];
      e.resultId = String(this.nextId++);
      this.deliver(e);
    }
    e.index = null;
    // Push: cleared already. Pull: the empty report stays until the client holds it (see reportsSince).
    if (!this.pull) this.entries.delete(e.uri);
  }

  private deliver(e: Entry): void {
    if (this.pull) {
      e.shown = e.items.length > 0;
      this.wake();
      return;
    }
    if (this.host.isOpen(e.file)) return; // the open document's own diagnostics stand
    if (!e.items.length && !e.shown) return;
    void this.connection.sendDiagnostics({ uri: e.uri, diagnostics: e.items });
    e.shown = e.items.length > 0;
  }

  /** The result id the client should hold for a file: open documents get an empty report of their own. */
  private effectiveId(file: string, e: Entry | undefined): string | undefined {
    if (this.host.isOpen(file)) return `open:${e?.resultId ?? "-"}`;
    return e?.resultId;
  }

  /** Reports the client does not have yet (known: uri -> the result id it holds). */
  private reportsSince(known: Map<string, string>): WorkspaceDocumentDiagnosticReport[] {
    const out: WorkspaceDocumentDiagnosticReport[] = [];
    for (const e of this.entries.values()) {
      const open = this.host.isOpen(e.file);
      const id = this.effectiveId(e.file, e)!;
      const has = known.get(e.uri);
      if (has === id) {
        if (e.index === null && !e.items.length && !open) this.entries.delete(e.uri); // the client holds the clearing
        continue;
      }
      if (has === undefined && (open || !e.items.length)) continue; // the client shows nothing, and nothing is due
      out.push({ kind: "full", uri: e.uri, version: null, resultId: id, items: open ? [] : e.items });
    }
    return out;
  }

  private wake(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** Waits until reports change, the token is cancelled, or ms pass. */
  private changed(token: CancellationToken, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sub.dispose();
        this.waiters.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      const sub = token.onCancellationRequested(finish);
      this.waiters.add(finish);
    });
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.connection.console.warn(message);
    void this.connection.window.showWarningMessage(`Django ORM Hints: ${message}`);
  }
}

/** Paths inside a .git folder (the index, HEAD): they change what git reports as changed. */
export function isGitInternal(file: string): boolean {
  return file.split(/[\\/]/).includes(".git");
}
