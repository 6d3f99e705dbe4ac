/**
 * A workspace as the engine sees it: its roots, the facts of every Python file (for the model index), its
 * templates, and the open documents that override the disk. Shared by the CLI and the language server.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as v8 from "v8";
import { analyzeFile, isTestOrMigration, newAnalysisMemo, type AnalysisMemo } from "./analyze";
import { DEFAULT_CONFIG, type Config } from "./config";
import { classIdentity, classStructure, extractFacts, factsStructure, forgetParts, mayHaveFacts, moduleOf, OFFSET_KEYS, sqlIndexesOf, VOLATILE_KEYS, volatileOf, type FileFacts } from "./facts";
import { appendAll, decode, listWorkspace } from "./files";
import { ModelIndex } from "./models";
import { parseText, type Syntax } from "./parser";
import type { ProjectView, Rule, TemplateFile } from "./rule";
import type { Hint } from "./types";

interface FileEntry {
  /** The text indexed: kept for open documents (compared directly), else its hash. */
  text: string | null;
  hash: string | null;
  facts: FileFacts;
  relPath: string;
  /** structureOf(facts), once computed. */
  structure?: string;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}


/** Facts without their offsets: equal when an edit only moved things. */
function structureOf(entry: FileEntry): string {
  return (entry.structure ??= factsStructure(entry.facts));
}

/**
 * Copies offsets and volatile facts from `src` into the same-shaped `dst`, in place (the index holds references
 * into `dst`).
 */
function copyOffsets(dst: unknown, src: unknown): void {
  if (dst === src) return;
  if (Array.isArray(dst) && Array.isArray(src)) {
    for (let i = 0; i < dst.length && i < src.length; i++) copyOffsets(dst[i], src[i]);
  } else if (dst && src && typeof dst === "object" && typeof src === "object") {
    const d = dst as Record<string, unknown>;
    const s = src as Record<string, unknown>;
    for (const k of Object.keys(s)) {
      if (OFFSET_KEYS.has(k) && typeof s[k] === "number") d[k] = s[k];
      else if (VOLATILE_KEYS.has(k)) d[k] = s[k];
      else if (s[k] && typeof s[k] === "object") copyOffsets(d[k], s[k]);
    }
  }
}

/** One indexed file as plain data (see Project.exportEntries). */
export interface IndexedFile {
  file: string;
  hash: string;
  facts: FileFacts;
  relPath: string;
}

export interface Notice {
  file?: string;
  message: string;
}

/**
 * How much source (UTF-16 code units) a full check keeps parsed between indexing and analysis. A snapshot takes
 * 10 to 25 bytes of heap per character of source (dense code costs more; about 22 on the generated projects). The
 * budget is about 5% of the machine's memory and a quarter of the JavaScript heap's limit, whichever is less, and
 * never under 8 million characters (about 200 MB; saleor's analyzed files are 7.2 million). A bigger project parses
 * the rest twice. On a 24 GiB machine with Node's default 4 GB heap that is about 49 million characters, which
 * keeps every parse of the generated 1M-line project (35 million): without it, time per line grew 75% from 100k to
 * 1M lines, for 220 MB less peak memory.
 */
export const KEEP_PARSES_CHARS = keepBudget(os.totalmem(), v8.getHeapStatistics().heap_size_limit);

/** The kept-parse budget in characters for a machine's memory and a heap limit, both in bytes. */
export function keepBudget(totalMem: number, heapLimit: number): number {
  const bytes = Math.min(totalMem * 0.05, heapLimit * 0.25);
  return Math.max(8_000_000, Math.floor(bytes / 22));
}

export class Project implements ProjectView {
  private readonly entries = new Map<string, FileEntry>();
  private readonly overlays = new Map<string, string>();
  private templateDirs: string[] = [];
  private indexCache: ModelIndex | null = null;
  config: Config = DEFAULT_CONFIG;
  /** Messages about files that could not be read or were skipped; each said once. */
  readonly notices: Notice[] = [];
  private readonly noticed = new Set<string>();

  /** Parses made while indexing, kept for the analysis of the same files (see keepParses). */
  private kept: Map<string, Syntax> | null = null;
  private keepFor: ReadonlySet<string> | null = null;
  private keepBudget = 0;

  constructor(readonly roots: string[], readonly rules: readonly Rule[]) {}

  /**
   * A full check analyzes the files it has just indexed: keeping the parses indexing makes of `files`, up to
   * `budgetChars` of source so memory stays bounded, spares a second parse (and read) of each. analyze() and textOf()
   * take a kept parse; dropKeptParses() frees what is left. `files` null: every file indexed.
   */
  keepParses(files: Iterable<string> | null, budgetChars = KEEP_PARSES_CHARS): void {
    this.kept = new Map();
    this.keepFor = files ? new Set(files) : null;
    this.keepBudget = budgetChars;
  }

  dropKeptParses(): void {
    this.kept = null;
    this.keepFor = null;
  }

  /** The kept parse of `file`, once. */
  private takeKept(file: string, text: string): Syntax | undefined {
    const kept = this.kept?.get(file);
    if (!kept) return undefined;
    this.kept!.delete(file);
    return kept.text === text ? kept : undefined;
  }

  notice(message: string, file?: string): void {
    const key = `${file ?? ""}\0${message}`;
    if (this.noticed.has(key)) return;
    this.noticed.add(key);
    this.notices.push({ file, message });
  }

  rootOf(file: string): string | undefined {
    let best: string | undefined;
    for (const r of this.roots) {
      const rel = path.relative(r, file);
      if (!rel.startsWith("..") && !path.isAbsolute(rel) && (!best || r.length > best.length)) best = r;
    }
    return best;
  }

  /** Lists and indexes every Python file below the roots. */
  scan(): { files: number } {
    const files = this.list();
    for (const file of files) this.indexFile(file);
    this.scanned();
    return { files: files.length };
  }

  /** The Python files below the roots (and the template folders, kept for template lookups); indexes nothing. */
  list(): string[] {
    const files: string[] = [];
    const dirs: string[] = [];
    for (const root of this.roots) {
      const listing = listWorkspace(root);
      for (const p of listing.problems) this.notice(p);
      appendAll(dirs, listing.templateDirs);
      appendAll(files, listing.python);
    }
    this.templateDirs = dirs;
    return files;
  }

  /** After indexing a listing (scan(), or entries adopted from elsewhere): drop what depended on the old state. */
  scanned(): void {
    this.templateFileList = null;
    this.indexCache = null;
    this.changed(null);
    this.memos.clear();
  }

  /** The indexed files' facts as plain data, to hand to another Project (a worker thread's). */
  exportEntries(files?: Iterable<string>): IndexedFile[] {
    const out: IndexedFile[] = [];
    for (const file of files ?? this.entries.keys()) {
      const e = this.entries.get(file);
      if (e) out.push({ file, hash: e.hash ?? crypto.createHash("sha1").update(e.text ?? "").digest("hex"), facts: e.facts, relPath: e.relPath });
    }
    return out;
  }

  /** Takes indexed files from exportEntries() (of a Project with the same roots); call scanned() after. */
  adoptEntries(files: readonly IndexedFile[], templateDirs?: readonly string[]): void {
    for (const f of files) this.entries.set(f.file, { text: null, hash: f.hash, facts: f.facts, relPath: f.relPath });
    this.fileList = null;
    if (templateDirs) this.templateDirs = [...templateDirs];
  }

  /** Template folders found by the last listing. */
  get templateFolders(): readonly string[] {
    return this.templateDirs;
  }

  /** Reads a file from disk with size and encoding checks. Returns null (with a notice) when it cannot be used. */
  readFile(file: string): string | null {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (e) {
      this.notice(`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file);
      return null;
    }
    if (!stat.isFile()) return null;
    if (stat.size > this.config.maxFileBytes) {
      this.notice(`skipped: ${formatBytes(stat.size)} is over the ${formatBytes(this.config.maxFileBytes)} limit (setting maxFileSize)`, file);
      return null;
    }
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      this.notice(`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file);
      return null;
    }
    const d = decode(bytes);
    if (d.binary) {
      this.notice("skipped: binary content (NUL bytes)", file);
      return null;
    }
    if (d.replaced) this.notice("not valid UTF-8: decoded with replacement characters", file);
    return d.text;
  }

  /** (Re)indexes one file from the overlay or disk; drops it when it is gone. */
  indexFile(file: string): void {
    const text = this.overlays.get(file) ?? this.readFile(file);
    if (text === null) {
      if (this.entries.delete(file)) {
        this.indexCache = null;
        this.fileList = null;
      }
      return;
    }
    this.indexText(file, text);
  }

  indexText(file: string, text: string, syntax?: Syntax): void {
    const prev = this.entries.get(file);
    // An open document's text is kept and compared as is; other files are compared by hash (holding every
    // file's text would cost memory).
    const open = this.overlays.get(file) === text;
    let hash: string | null = null;
    const hashOf = (t: string) => crypto.createHash("sha1").update(t).digest("hex");
    if (prev && (prev.text !== null ? prev.text === text : prev.hash === (hash = hashOf(text)))) return;
    if (!open) hash ??= hashOf(text);
    this.pythonChanged(file);
    const relPath = this.relPathOf(file);
    let facts: FileFacts;
    // Tests and migrations are neither analyzed nor counted (see analyze.ts): their facts are not needed either.
    if (!mayHaveFacts(text) || isTestOrMigration(relPath, text, syntax?.root)) {
      facts = { file, module: moduleOf(relPath), classes: [], imports: {}, settings: {}, lookups: [], signalSenders: [] };
      // A migration's SQL may create indexes the models do not declare.
      const sql = /(^|\/)\w*migrations\//.test(relPath.replace(/\\/g, "/")) ? sqlIndexesOf(text) : undefined;
      if (sql) facts.sqlIndexes = sql;
    }
    else {
      let syn = syntax;
      if (!syn) {
        syn = parseText(text);
        if (this.kept && (!this.keepFor || this.keepFor.has(file)) && text.length <= this.keepBudget) {
          this.kept.set(file, syn);
          this.keepBudget -= text.length;
        }
      }
      facts = extractFacts(syn, file, moduleOf(relPath));
    }
    // Only a change in what the index holds makes it stale. An edit that only moves things (typing above a model)
    // keeps the index and moves its offsets.
    const entry: FileEntry = { text: open ? text : null, hash, facts, relPath };
    if (prev && prev.relPath === relPath && structureOf(prev) === structureOf(entry)) {
      // Lookups feed only missing-index's field uses, which the index recomputes lazily.
      prev.facts.lookups = facts.lookups;
      // What methods read on their parameters is read live from the facts: a change there keeps the index, but
      // what was computed from the old reads (flow, other files' hints) is out of date.
      // (A change in a class the index built nothing from concerns this file's other statements only by name.)
      let readsChanged: "derived" | "other" | null = null;
      prev.facts.classes.forEach((a, i) => {
        const b = facts.classes[i];
        if (readsChanged === "derived" || a === b || volatileOf(a) === volatileOf(b)) return;
        readsChanged = this.indexCache?.derivesFrom(a) ? "derived" : "other";
      });
      copyOffsets(prev.facts, facts);
      if (readsChanged && this.indexCache) {
        this.indexCache.bump(readsChanged === "derived" ? null : file);
        this.changed(readsChanged === "derived" ? null : file);
      }
      this.indexCache?.refreshPositions(file);
      this.entries.set(file, { text: entry.text, hash, facts: prev.facts, relPath, structure: prev.structure });
      return;
    }
    if (prev && prev.relPath === relPath && this.indexCache && this.patchClasses(prev.facts, facts)) {
      this.indexCache.bump(file);
      this.changed(file);
      this.indexCache.refreshPositions(file);
      this.entries.set(file, { text: entry.text, hash, facts: prev.facts, relPath, structure: structureOf(entry) });
      return;
    }
    this.indexCache = null;
    if (!prev) this.fileList = null;
    this.entries.set(file, entry);
  }

  /**
   * An edit that changed only classes the index built nothing from (views, serializers, admin and plugin classes),
   * keeping their names, bases and field-like assignments: their facts are replaced in place in `prev`, which the
   * index holds, instead of rebuilding the index. False (nothing changed) when anything else differs.
   */
  private patchClasses(prev: FileFacts, next: FileFacts): boolean {
    const index = this.indexCache!;
    if (prev.classes.length !== next.classes.length) return false;
    const rest = (f: FileFacts) => JSON.stringify([f.module, f.imports, f.settings, f.signalSenders]);
    if (rest(prev) !== rest(next)) return false;
    const changed: number[] = [];
    for (let i = 0; i < prev.classes.length; i++) {
      const a = prev.classes[i];
      const b = next.classes[i];
      if (a === b || classStructure(a) === classStructure(b)) continue;
      if (index.derivesFrom(a) || classIdentity(a) !== classIdentity(b)) return false;
      changed.push(i);
    }
    for (let i = 0; i < prev.classes.length; i++) {
      const a = prev.classes[i] as unknown as Record<string, unknown>;
      const b = next.classes[i] as unknown as Record<string, unknown>;
      if (changed.includes(i)) for (const k of Object.keys(b)) a[k] = b[k];
      else copyOffsets(a, b);
    }
    prev.lookups = next.lookups;
    forgetParts(prev);
    return true;
  }

  removeFile(file: string): void {
    if (this.entries.delete(file)) {
      this.indexCache = null;
      this.fileList = null;
    }
    this.pythonChanged(file);
  }

  /**
   * Memoized lookups for rules. Keys starting with "template:" depend only on the template files; "urls:" keys
   * on URLconf files; others on any Python file.
   */
  private readonly memos = new Map<string, unknown>();

  private pythonChanged(file: string): void {
    this.changed(file);
    const urls = /urls\.py$|[\\/]urls[\\/]/.test(file);
    for (const k of [...this.memos.keys()]) if (!k.startsWith("template:") && (urls || !k.startsWith("urls:"))) this.memos.delete(k);
  }

  /** Something outside the Python files changed (templates): drop memoized lookups. */
  invalidate(): void {
    this.changed(null);
    this.memos.clear();
    this.templateFileList = null;
  }

  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const v = compute();
    this.memos.set(key, v);
    return v;
  }

  hasFile(file: string): boolean {
    return this.entries.has(file);
  }

  /** The sorted list of indexed files, kept until a file is added or removed (rules ask for it per view). */
  private fileList: string[] | null = null;

  files(): readonly string[] {
    return (this.fileList ??= [...this.entries.keys()].sort());
  }

  filesMatching(pattern: RegExp): string[] {
    return this.files().filter((f) => pattern.test(f));
  }

  setOverlay(file: string, text: string | null): void {
    if ((text === null ? undefined : text) !== this.overlays.get(file)) this.pythonChanged(file);
    if (text === null) {
      this.overlays.delete(file);
      this.analyses.delete(file);
    }
    else this.overlays.set(file, text);
  }

  get index(): ModelIndex {
    if (!this.indexCache) {
      const files = [...this.entries.values()].map((e) => ({ facts: e.facts, relPath: e.relPath }));
      // Model facts only: an import map from every file is still needed to resolve names where it is used.
      this.indexCache = new ModelIndex(files);
    }
    return this.indexCache;
  }

  /** Is the index already built (nothing changed since)? */
  get indexFresh(): boolean {
    return this.indexCache !== null;
  }

  textOf(file: string): string | null {
    const o = this.overlays.get(file);
    if (o !== undefined) return o;
    // The text indexed (and parsed) moments ago, not read again.
    const kept = this.kept?.get(file);
    if (kept) return kept.text;
    return this.readFile(file);
  }

  template(name: string): TemplateFile | null {
    if (!name || name.includes("..") || path.isAbsolute(name)) return null;
    return this.memo(`template:${name}`, () => this.findTemplate(name));
  }

  private findTemplate(name: string): TemplateFile | null {
    const byName = this.templatesByName();
    if (byName) {
      const full = byName.get(name);
      if (full) {
        const text = this.textOf(full);
        return text === null ? null : { file: full, text };
      }
    } else {
      for (const dir of this.templateDirs) {
        const full = path.join(dir, name);
        if (fs.existsSync(full)) {
          const text = this.textOf(full);
          return text === null ? null : { file: full, text };
        }
      }
    }
    // Projects also list subfolders of templates/ in TEMPLATES["DIRS"] (templates/oscar): match by path suffix.
    if (name.includes("/")) {
      const hits = this.templatesByBasename().get(name.slice(name.lastIndexOf("/") + 1))?.filter((f) => f.endsWith(`/${name}`)) ?? [];
      if (hits.length === 1) {
        const text = this.textOf(hits[0]);
        return text === null ? null : { file: hits[0], text };
      }
    }
    return null;
  }

  private templateFileList: string[] | null = null;
  private templateListComplete = false;
  private templateNameIndex: Map<string, string> | null = null;

  /**
   * Template name -> file, as Django's loaders find it (the first templates/ folder that has it), from one listing
   * (a lookup per folder for every view would grow with apps x views). Null when the listing was cut short.
   */
  private templatesByName(): Map<string, string> | null {
    const files = this.templateFiles();
    if (!this.templateListComplete) return null;
    if (this.templateNameIndex) return this.templateNameIndex;
    // Each file under each template folder that contains it (folders can nest), the first folder in order winning:
    // found by walking the file's parent folders, not by testing every file against every folder.
    const order = new Map<string, number>();
    this.templateDirs.forEach((dir, i) => {
      const key = dir.split(path.sep).join("/").replace(/\/+$/, "");
      if (!order.has(key)) order.set(key, i);
    });
    const best = new Map<string, { at: number; file: string }>();
    for (const f of files) {
      for (let cut = f.lastIndexOf("/"); cut > 0; cut = f.lastIndexOf("/", cut - 1)) {
        const at = order.get(f.slice(0, cut));
        if (at === undefined) continue;
        const rel = f.slice(cut + 1);
        const seen = best.get(rel);
        if (!seen || at < seen.at) best.set(rel, { at, file: path.join(this.templateDirs[at], rel) });
      }
    }
    const index = new Map<string, string>();
    for (const [rel, { file }] of best) index.set(rel, file);
    return (this.templateNameIndex = index);
  }

  private templateBasenameIndex: Map<string, string[]> | null = null;
  private templateBasenameOf: string[] | null = null;

  /** Template files by file name, for the lookups by path suffix. */
  private templatesByBasename(): Map<string, string[]> {
    const files = this.templateFiles();
    if (this.templateBasenameIndex && this.templateBasenameOf === files) return this.templateBasenameIndex;
    const index = new Map<string, string[]>();
    for (const f of files) {
      const base = f.slice(f.lastIndexOf("/") + 1);
      const list = index.get(base);
      if (list) list.push(f);
      else index.set(base, [f]);
    }
    this.templateBasenameOf = files;
    return (this.templateBasenameIndex = index);
  }

  /** Every file below the templates/ folders (listed once). */
  templateFiles(): string[] {
    if (this.templateFileList) return this.templateFileList;
    this.templateNameIndex = null;
    const out: string[] = [];
    for (const dir of this.templateDirs) {
      const stack = [dir];
      while (stack.length && out.length < 50000) {
        const d = stack.pop()!;
        let entries: fs.Dirent[];
        try {
          entries = fs.readdirSync(d, { withFileTypes: true });
        } catch {
          continue;
        }
        for (const e of entries) {
          const full = path.join(d, e.name);
          if (e.isDirectory()) stack.push(full);
          else if (e.isFile()) out.push(full.split(path.sep).join("/"));
        }
      }
      if (stack.length) break;
    }
    this.templateListComplete = out.length < 50000;
    this.templateFileList = out;
    return out;
  }

  setTemplateDirs(dirs: string[]): void {
    this.templateDirs = dirs;
    this.templateFileList = null;
  }

  /** The names a template file is known by ("accounts/project.html"), one per templates/ folder holding it. */
  templateNames(file: string): string[] {
    const names: string[] = [];
    for (const dir of this.templateDirs) {
      const rel = path.relative(dir, file);
      if (!rel.startsWith("..") && !path.isAbsolute(rel)) {
        const segs = rel.split(path.sep);
        // "oscar/dashboard/x.html" is also reachable as "dashboard/x.html" through a DIRS subfolder.
        for (let i = 0; i < Math.max(1, segs.length - 1); i++) names.push(segs.slice(i).join("/"));
      }
    }
    return names;
  }

  /**
   * Hints inside a template: analyzes the Python files that name it (views rendering it, class-based views with
   * template_name) and keeps what they report in the template.
   */
  analyzeTemplate(file: string): Hint[] {
    const names = this.templateNames(file);
    if (!names.length) return [];
    // Templates that include or extend this one (transitively) are rendered by views too.
    const queue = [...names];
    for (let i = 0; i < queue.length && queue.length < 60; i++) {
      const name = queue[i];
      for (const t of this.templateFiles()) {
        const text = this.textOf(t);
        if (!text || !text.includes(name)) continue;
        if (!new RegExp(`\\{%-?\\s*(include|extends)\\s+["']${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']`).test(text)) continue;
        for (const n of this.templateNames(t)) if (!queue.includes(n)) queue.push(n);
      }
    }
    names.splice(0, names.length, ...queue);
    const out: Hint[] = [];
    const seen = new Set<string>();
    for (const py of this.files()) {
      const text = this.textOf(py);
      if (text === null || !names.some((n) => text.includes(n) || text.includes(n.replace(/\.html$/, "")))) continue;
      for (const h of this.analyze(py, text)) {
        if (h.file !== file) continue;
        const key = `${h.code}:${h.range.start.line}:${h.range.start.character}:${h.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(h);
      }
    }
    return out;
  }

  /**
   * Keep each open document's last analysis, so re-analysis after an edit re-examines only the statements the
   * edit can have changed (the language server turns this on; a one-shot check has nothing to reuse).
   */
  incremental = false;
  private readonly analyses = new Map<string, AnalysisMemo>();
  private changes = 0;
  private readonly changesOf = new Map<string, number>();

  /** Counts a change to one file (or to something else, e.g. templates, when null). */
  private changed(file: string | null): void {
    this.changes++;
    if (file !== null) this.changesOf.set(file, (this.changesOf.get(file) ?? 0) + 1);
  }

  changesTo(file: string): number {
    return this.changesOf.get(file) ?? 0;
  }

  /** The last analysis of an open document (for tests and the benchmark), or undefined. */
  analysisOf(file: string): AnalysisMemo | undefined {
    return this.analyses.get(file);
  }

  /** The file's path relative to its workspace root, with "/" separators. */
  relPathOf(file: string): string {
    const root = this.rootOf(file) ?? path.dirname(file);
    return path.relative(root, file).split(path.sep).join("/");
  }

  /** Analyzes a file's current text. The file is (re)indexed first so the index sees its own models. */
  analyze(file: string, text: string, syntax?: Syntax): Hint[] {
    const relPath = this.relPathOf(file);
    if (isTestOrMigration(relPath, text, syntax?.root)) {
      // Not analyzed: no need to parse.
      this.indexText(file, text, syntax);
      return [];
    }
    const syn = syntax ?? this.takeKept(file, text) ?? parseText(text);
    if (syn.hasErrors) this.notice("has syntax errors: hints there may be incomplete", file);
    this.indexText(file, text, syn);
    let memo: AnalysisMemo | undefined;
    if (this.incremental && this.overlays.has(file)) {
      memo = this.analyses.get(file);
      if (!memo) this.analyses.set(file, (memo = newAnalysisMemo()));
    }
    // Changes anywhere but in this file (its own edits are what the memo follows).
    const stamp = this.changes - (this.changesOf.get(file) ?? 0);
    return analyzeFile({ file, relPath, syntax: syn, index: this.index, config: this.config, project: this, rules: this.rules, memo, stamp });
  }
}
