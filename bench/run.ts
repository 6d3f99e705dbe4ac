/**
 * The benchmark: parse floor vs full check, keystroke latency, re-check, memory, cold start, index time and
 * scaling, on a generated Django project (default 100k lines) or any real tree.
 *
 *   npm run bench                          generated 100k-line project, table
 *   npm run bench -- --json                the same, one JSON object on stdout
 *   npm run bench -- --size 300000         generated project of that many lines
 *   npm run bench -- --corpus DIR          any tree, e.g. a saleor checkout
 *   npm run bench -- --scaling             generated 10k, 100k and 1M lines, time per line
 *   options: --reps N (timed rounds, median; default 3), --no-lsp (skip the spawned-server measurements),
 *            --edits N (keystroke edits; default 200)
 *
 * Heavy measurements run in child processes (node <this file> --child ...), so each starts with a clean heap
 * and its peak RSS is its own. See bench/README.md for what each number means.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { RULES } from "../rules";
import { runCheck } from "../server/src/cli/check";
import { isTestOrMigration } from "../server/src/engine/analyze";
import { workerCount } from "../server/src/cli/parallel";
import { listWorkspace } from "../server/src/engine/files";
import { IncrementalDocument, initParser, parseText } from "../server/src/engine/parser";
import { LineIndex } from "../server/src/engine/positions";
import { Project } from "../server/src/engine/project";
import { generate, keystrokeModule, sizeLabel, type Planted } from "./generate";

const REPO = path.resolve(__dirname, "..", "..");
const CLI = path.join(REPO, "dist", "cli.js");
let KEYSTROKE_EDITS = 200;
const OPEN_FILES = 50;

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

const median = (xs: number[]): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs: number[], q: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const round = (x: number, d = 1): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
const countLines = (text: string): number => {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return text.length && !text.endsWith("\n") ? n + 1 : n;
};
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

const KEYWORDS = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
  "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
  "pass", "raise", "return", "try", "while", "with", "yield", "self", "match", "case",
]);

/**
 * The i-th of the keystroke edits: one character inserted inside an identifier (not a keyword) on a line spread
 * through the file, so the code stays syntactically valid and the edits land at different places.
 */
export function keystrokeEdit(text: string, i: number, total = KEYSTROKE_EDITS): { offset: number; line: number; character: number; insert: string } {
  const li = new LineIndex(text);
  const n = li.lineCount;
  for (let k = 0; k < n; k++) {
    const line = (Math.floor(((i + 0.5) * n) / total) + k) % n;
    const start = li.lineStart(line);
    const content = text.slice(start, li.lineEnd(line));
    if (/^\s*#/.test(content)) continue;
    const re = /[A-Za-z_][A-Za-z0-9_]{3,}/g;
    for (let m = re.exec(content); m; m = re.exec(content)) {
      const before = content.slice(0, m.index);
      // skip words inside string literals (an odd number of quotes before) and keywords
      if (KEYWORDS.has(m[0]) || (before.split('"').length - 1) % 2 === 1 || (before.split("'").length - 1) % 2 === 1) continue;
      const character = m.index + 2;
      return { offset: start + character, line, character, insert: "x" };
    }
  }
  return { offset: 0, line: 0, character: 0, insert: "#" };
}

// ---------------------------------------------------------------------------------------------------------------
// Child process work

interface ChildInput {
  root: string;
  reps: number;
  planted: Planted[];
  keystroke: { file: string; text: string };
  /** Files for the re-check measurements (absolute). */
  viewFile: string | null;
  modelFile: string | null;
  edits: number;
}

interface MeasureResult {
  files: number;
  lines: number;
  bytes: number;
  parseFloorMs: number;
  parseFloorRuns: number[];
  /** The files the check parses (tests and migrations are not), and their parse floor. */
  analyzedFiles: number;
  analyzedFloorMs: number;
  parseSnapshotMs: number;
  parseFloorCpuMs: number;
  checkCpuMs: number;
  /** The one-thread check (fullCheck). */
  checkMs: number;
  checkRuns: number[];
  /** The check as the CLI runs it (runCheck: worker threads on a big enough project), and its thread count. */
  cliCheckMs: number;
  cliCheckRuns: number[];
  threads: number;
  indexMs: number;
  analyzeMs: number;
  indexRebuildMs: number;
  hintsByRule: Record<string, number>;
  planted: Record<string, { planted: number; found: number; missed: string[]; extra: string[] }> | null;
  recheck: {
    viewFile: string | null;
    viewChangeMs: number;
    modelFile: string | null;
    modelChangeMs: number;
    modelReindexMs: number;
    dependents: number;
    dependentsMs: number;
  };
  keystroke: {
    file: string;
    lines: number;
    parseScratchMs: number;
    parseSnapshotScratchMs: number;
    analyzeOnlyMs: number;
    firstAnalysisMs: number;
    p50Ms: number;
    p90Ms: number;
    p99Ms: number;
    maxMs: number;
    reparseP50Ms: number;
    analyzeP50Ms: number;
    indexRebuilds: number;
    hints: number;
  };
}

function readInput(): ChildInput {
  const i = process.argv.indexOf("--input");
  return JSON.parse(fs.readFileSync(process.argv[i + 1], "utf8")) as ChildInput;
}

function fullCheck(root: string, collect?: (file: string, line: number, code: string) => void): { project: Project; files: readonly string[]; indexMs: number; analyzeMs: number; hints: Record<string, number> } {
  const t0 = performance.now();
  const project = new Project([root], RULES);
  // As the CLI's check does: every file parsed once, while indexing.
  project.keepParses(null);
  project.scan();
  void project.index;
  const t1 = performance.now();
  const files = project.files();
  const hints: Record<string, number> = {};
  for (const file of files) {
    const text = project.textOf(file);
    if (text === null) continue;
    let hs;
    try {
      hs = project.analyze(file, text);
    } catch (e) {
      project.notice(`analysis failed: ${(e as Error).message}`, file);
      continue;
    }
    for (const h of hs) {
      hints[h.code] = (hints[h.code] ?? 0) + 1;
      collect?.(h.file, h.range.start.line + 1, h.code);
    }
  }
  const t2 = performance.now();
  project.dropKeptParses();
  return { project, files, indexMs: t1 - t0, analyzeMs: t2 - t1, hints };
}

async function childMeasure(): Promise<MeasureResult> {
  const input = readInput();
  KEYSTROKE_EDITS = input.edits;
  const parser = await initParser();
  const listing = listWorkspace(input.root);
  const files = listing.python;
  // Warm the OS file cache (not timed), and count.
  let lines = 0;
  let bytes = 0;
  for (const f of files) {
    const t = fs.readFileSync(f, "utf8");
    lines += countLines(t);
    bytes += Buffer.byteLength(t);
  }
  // Warm the WASM and JS compilers (not timed): the first parses run unoptimized code.
  const warm = lines <= 300000 ? files : files.slice(0, Math.ceil(files.length / 5));
  for (const f of warm) parseText(fs.readFileSync(f, "utf8"));
  const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  const floorCpu: number[] = [];
  const checkCpu: number[] = [];
  const floorRuns: number[] = [];
  const analyzedFloorRuns: number[] = [];
  const analyzedFiles = files.filter((f) => !isTestOrMigration(path.relative(input.root, f)));
  const snapRuns: number[] = [];
  const checkRuns: number[] = [];
  const indexRuns: number[] = [];
  const analyzeRuns: number[] = [];
  const cliRuns: number[] = [];
  const threads = workerCount(files.length);
  let last: ReturnType<typeof fullCheck> | null = null;
  const found = new Set<string>();
  for (let rep = 0; rep < input.reps; rep++) {
    // parse floor: read + parse every file, trees freed at once
    let c0 = process.cpuUsage();
    let t0 = performance.now();
    for (const f of files) {
      const text = fs.readFileSync(f, "utf8");
      const tree = parser.parse(text);
      tree?.delete();
    }
    floorRuns.push(performance.now() - t0);
    floorCpu.push(cpuMs(process.cpuUsage(c0)));
    // the same, for the files the check parses (not tests and migrations)
    t0 = performance.now();
    for (const f of analyzedFiles) {
      const tree = parser.parse(fs.readFileSync(f, "utf8"));
      tree?.delete();
    }
    analyzedFloorRuns.push(performance.now() - t0);
    // the engine's parse: read + parse + snapshot into plain JS objects
    t0 = performance.now();
    for (const f of files) parseText(fs.readFileSync(f, "utf8"));
    snapRuns.push(performance.now() - t0);
    // the full check
    last = null;
    if (global.gc) global.gc();
    c0 = process.cpuUsage();
    t0 = performance.now();
    const isLast = rep === input.reps - 1;
    last = fullCheck(input.root, isLast ? (file, line, code) => found.add(`${path.relative(input.root, file).split(path.sep).join("/")}:${line}:${code}`) : undefined);
    checkRuns.push(performance.now() - t0);
    checkCpu.push(cpuMs(process.cpuUsage(c0)));
    indexRuns.push(last.indexMs);
    analyzeRuns.push(last.analyzeMs);
    // the same check as `django-orm-hints check` runs it: on worker threads when the project is big enough
    if (global.gc) global.gc();
    t0 = performance.now();
    await runCheck({ paths: [input.root], format: "json" });
    cliRuns.push(performance.now() - t0);
    log(`  round ${rep + 1}/${input.reps}: floor ${round(floorRuns[rep])} ms, parse+snapshot ${round(snapRuns[rep])} ms, check ${round(cliRuns[rep])} ms on ${threads} thread(s), ${round(checkRuns[rep])} ms on one (cpu: floor ${round(floorCpu[rep])}, one-thread check ${round(checkCpu[rep])}; index ${round(last.indexMs)} + analyze ${round(last.analyzeMs)})`);
  }
  const project = last!.project;

  // Planted hints
  let planted: MeasureResult["planted"] = null;
  if (input.planted.length) {
    planted = {};
    for (const rule of ["n-plus-one", "queryset-in-loop"]) {
      const want = new Set(input.planted.filter((p) => p.rule === rule).map((p) => `${p.file}:${p.line}:${rule}`));
      const got = [...found].filter((k) => k.endsWith(`:${rule}`));
      const missed = [...want].filter((k) => !found.has(k));
      const extra = got.filter((k) => !want.has(k));
      planted[rule] = { planted: want.size, found: want.size - missed.length, missed: missed.slice(0, 10), extra: extra.slice(0, 10) };
    }
  }

  // Index rebuild alone
  const rebuildRuns: number[] = [];
  for (let i = 0; i < 3; i++) {
    const f = input.modelFile ?? files[0];
    const text = project.textOf(f)!;
    project.indexText(f, text + `\nclass BenchRebuild${i}(object):\n    pass\n`);
    const t0 = performance.now();
    void project.index;
    rebuildRuns.push(performance.now() - t0);
    project.indexText(f, text);
    void project.index;
  }

  // Re-check after a one-file change, warm caches
  const viewRuns: number[] = [];
  if (input.viewFile) {
    const text = project.textOf(input.viewFile)!;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      project.analyze(input.viewFile, `${text}\n# edited ${i}\n`);
      viewRuns.push(performance.now() - t0);
    }
    project.analyze(input.viewFile, text);
  }
  const modelRuns: number[] = [];
  const reindexRuns: number[] = [];
  const depRuns: number[] = [];
  let dependents: string[] = [];
  if (input.modelFile) {
    const text = project.textOf(input.modelFile)!;
    const names = [...text.matchAll(/^class (\w+)\(/gm)].map((m) => m[1]);
    const re = names.length ? new RegExp(`\\b(?:${names.join("|")})\\b`) : null;
    dependents = re ? files.filter((f) => f !== input.modelFile && re.test(project.textOf(f) ?? "")) : [];
    const cls = /^class \w+\(.*\):[^\n]*\n/m.exec(text);
    for (let i = 0; i < 3; i++) {
      const at = cls ? cls.index + cls[0].length : text.length;
      const changed = `${text.slice(0, at)}    bench_extra_${i} = models.IntegerField(default=0)\n${text.slice(at)}`;
      const t0 = performance.now();
      project.indexText(input.modelFile, changed);
      void project.index;
      const t1 = performance.now();
      project.analyze(input.modelFile, changed);
      for (const d of dependents) project.analyze(d, project.textOf(d)!);
      const t2 = performance.now();
      reindexRuns.push(t1 - t0);
      modelRuns.push(t2 - t0);
      depRuns.push(t2 - t1);
    }
    project.indexText(input.modelFile, text);
  }

  // Keystroke, in process: IncrementalDocument + project.analyze, as the server does minus the debounce
  const ks = input.keystroke;
  const scratch: number[] = [];
  const scratchSnap: number[] = [];
  const analyzeOnly: number[] = [];
  for (let i = 0; i < 7; i++) {
    let t0 = performance.now();
    parser.parse(ks.text)?.delete();
    scratch.push(performance.now() - t0);
    t0 = performance.now();
    const syn = parseText(ks.text);
    scratchSnap.push(performance.now() - t0);
    project.analyze(ks.file, ks.text, syn); // index in sync
    t0 = performance.now();
    project.analyze(ks.file, ks.text, syn);
    analyzeOnly.push(performance.now() - t0);
  }
  const doc = new IncrementalDocument(ks.text);
  // As the language server does: keep the document's last analysis and re-examine only what an edit changed.
  project.incremental = true;
  project.setOverlay(ks.file, ks.text);
  let t0 = performance.now();
  let hints = project.analyze(ks.file, doc.text, doc.syntax()).length;
  const firstAnalysis = performance.now() - t0;
  const totals: number[] = [];
  const reparses: number[] = [];
  const analyses: number[] = [];
  let rebuilds = 0;
  for (let i = 0; i < KEYSTROKE_EDITS; i++) {
    const e = keystrokeEdit(doc.text, i);
    t0 = performance.now();
    const li = new LineIndex(doc.text);
    const start = li.offsetAt({ line: e.line, character: e.character });
    doc.applyChanges([{ start, end: start, text: e.insert }]);
    project.setOverlay(ks.file, doc.text);
    const t1 = performance.now();
    const syntax = doc.syntax();
    const t2 = performance.now();
    const fresh = project.indexFresh;
    project.indexText(ks.file, doc.text, syntax);
    if (fresh && !project.indexFresh) rebuilds++;
    hints = project.analyze(ks.file, doc.text, syntax).length;
    const t3 = performance.now();
    totals.push(t3 - t0);
    reparses.push(t2 - t1);
    analyses.push(t3 - t2);
  }
  doc.dispose();

  return {
    files: files.length,
    lines,
    bytes,
    parseFloorMs: median(floorRuns),
    parseFloorRuns: floorRuns.map((x) => round(x)),
    analyzedFiles: analyzedFiles.length,
    analyzedFloorMs: median(analyzedFloorRuns),
    parseSnapshotMs: median(snapRuns),
    parseFloorCpuMs: median(floorCpu),
    checkCpuMs: median(checkCpu),
    checkMs: median(checkRuns),
    checkRuns: checkRuns.map((x) => round(x)),
    cliCheckMs: median(cliRuns),
    cliCheckRuns: cliRuns.map((x) => round(x)),
    threads,
    indexMs: median(indexRuns),
    analyzeMs: median(analyzeRuns),
    indexRebuildMs: median(rebuildRuns),
    hintsByRule: last!.hints,
    planted,
    recheck: {
      viewFile: input.viewFile,
      viewChangeMs: median(viewRuns),
      modelFile: input.modelFile,
      modelChangeMs: median(modelRuns),
      modelReindexMs: median(reindexRuns),
      dependents: dependents.length,
      dependentsMs: median(depRuns),
    },
    keystroke: {
      file: ks.file,
      lines: countLines(ks.text),
      parseScratchMs: median(scratch),
      parseSnapshotScratchMs: median(scratchSnap),
      analyzeOnlyMs: median(analyzeOnly),
      firstAnalysisMs: firstAnalysis,
      p50Ms: median(totals),
      p90Ms: quantile(totals, 0.9),
      p99Ms: quantile(totals, 0.99),
      maxMs: Math.max(...totals),
      reparseP50Ms: median(reparses),
      analyzeP50Ms: median(analyses),
      indexRebuilds: rebuilds,
      hints,
    },
  };
}

/** One full check as the CLI runs it (worker threads included), nothing else: its peak RSS is the check's. */
async function childCheck(): Promise<{ checkMs: number; peakRssMB: number; heapUsedMB: number; hints: number }> {
  const root = process.argv[process.argv.indexOf("--root") + 1];
  await initParser();
  const t0 = performance.now();
  const r = await runCheck({ paths: [root], format: "json" });
  const checkMs = performance.now() - t0;
  return { checkMs, peakRssMB: process.resourceUsage().maxRSS / 1024, heapUsedMB: process.memoryUsage().heapUsed / 1048576, hints: r.hints.length };
}

function runChild<T>(mode: string, args: string[], nodeArgs: string[] = []): T {
  const r = spawnSync(process.execPath, [...nodeArgs, __filename, "--child", mode, ...args], { stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`child ${mode} failed with ${r.status ?? r.signal}`);
  return JSON.parse(r.stdout.toString()) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// The language server, spawned the way an editor does

interface Server {
  proc: ReturnType<typeof spawn>;
  conn: MessageConnection;
  diagnostics(uri: string, version?: number, timeoutMs?: number): Promise<number>;
  rssMB(): { rss: number; hwm: number };
  stop(): Promise<void>;
}

const uriOf = (file: string) => `file://${file.split(path.sep).map(encodeURIComponent).join("/")}`;

async function startLsp(root: string): Promise<{ server: Server; initializeMs: number }> {
  const proc = spawn(process.execPath, [CLI, "lsp", "--stdio"], { cwd: root, stdio: ["pipe", "pipe", "ignore"] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const waiters: { uri: string; version?: number; resolve: (t: number) => void }[] = [];
  const seen = new Map<string, number | null>();
  conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number }) => {
    const now = performance.now();
    seen.set(p.uri, p.version ?? null);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (w.uri === p.uri && (w.version === undefined || p.version === w.version)) {
        waiters.splice(i, 1);
        w.resolve(now);
      }
    }
  });
  conn.onNotification(() => undefined);
  conn.onRequest(() => null);
  conn.listen();
  const t0 = performance.now();
  await conn.sendRequest("initialize", {
    processId: process.pid,
    rootUri: uriOf(root),
    workspaceFolders: [{ uri: uriOf(root), name: path.basename(root) }],
    capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } },
  });
  const initializeMs = performance.now() - t0;
  await conn.sendNotification("initialized", {});
  const server: Server = {
    proc,
    conn,
    diagnostics: (uri, version, timeoutMs = 600000) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ uri, version, resolve: (t) => { clearTimeout(timer); resolve(t); } });
      }),
    rssMB: () => {
      const status = fs.readFileSync(`/proc/${proc.pid}/status`, "utf8");
      const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
      return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
    },
    stop: async () => {
      try {
        await Promise.race([conn.sendRequest("shutdown"), new Promise((r) => setTimeout(r, 2000))]);
        await conn.sendNotification("exit");
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 100));
      if (proc.exitCode === null) proc.kill();
      conn.dispose();
    },
  };
  return { server, initializeMs };
}

const open = (s: Server, file: string, text: string, version = 1) =>
  s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: uriOf(file), languageId: "python", version, text } });

interface LspResult {
  coldStartMs: number;
  coldStartRuns: number[];
  initializeMs: number;
  serverRss50MB: number;
  serverPeakRss50MB: number;
  openedFiles: number;
  keystrokeLspP50Ms: number;
  keystrokeLspP90Ms: number;
  keystrokeLspP99Ms: number;
  keystrokeLspMaxMs: number;
  keystrokeOpenMs: number;
}

async function measureLsp(root: string, files: string[], ks: { file: string; text: string }, reps: number): Promise<LspResult> {
  const first = files.find((f) => /views?\.py$/.test(f)) ?? files[0];
  const colds: number[] = [];
  const inits: number[] = [];
  let rss = { rss: NaN, hwm: NaN };
  let opened = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const { server, initializeMs } = await startLsp(root);
    inits.push(initializeMs);
    const waitFirst = server.diagnostics(uriOf(first));
    await open(server, first, fs.readFileSync(first, "utf8"));
    colds.push((await waitFirst) - t0);
    log(`  cold start ${r + 1}/${reps}: ${round(colds[r])} ms`);
    if (r === reps - 1) {
      // 50 open files: the first is open; spread the rest over the tree
      const step = Math.max(1, Math.floor(files.length / OPEN_FILES));
      const picks = files.filter((f, i) => f !== first && i % step === 0).slice(0, OPEN_FILES - 1);
      for (const f of picks) {
        const wait = server.diagnostics(uriOf(f));
        await open(server, f, fs.readFileSync(f, "utf8"));
        await wait;
      }
      opened = picks.length + 1;
      await new Promise((res) => setTimeout(res, 200));
      rss = server.rssMB();
    }
    await server.stop();
  }

  // Keystrokes through the real server
  const { server } = await startLsp(root);
  const uri = uriOf(ks.file);
  let t0 = performance.now();
  const waitOpen = server.diagnostics(uri, 1);
  await open(server, ks.file, ks.text, 1);
  const keystrokeOpenMs = (await waitOpen) - t0;
  let text = ks.text;
  const times: number[] = [];
  for (let i = 0; i < KEYSTROKE_EDITS; i++) {
    const e = keystrokeEdit(text, i);
    const version = i + 2;
    const wait = server.diagnostics(uri, version, 30000);
    t0 = performance.now();
    await server.conn.sendNotification("textDocument/didChange", {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line: e.line, character: e.character }, end: { line: e.line, character: e.character } }, text: e.insert }],
    });
    times.push((await wait) - t0);
    text = text.slice(0, e.offset) + e.insert + text.slice(e.offset);
  }
  await server.stop();
  return {
    coldStartMs: median(colds),
    coldStartRuns: colds.map((x) => round(x)),
    initializeMs: median(inits),
    serverRss50MB: rss.rss,
    serverPeakRss50MB: rss.hwm,
    openedFiles: opened,
    keystrokeLspP50Ms: median(times),
    keystrokeLspP90Ms: quantile(times, 0.9),
    keystrokeLspP99Ms: quantile(times, 0.99),
    keystrokeLspMaxMs: Math.max(...times),
    keystrokeOpenMs,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Orchestration

interface Options {
  json: boolean;
  reps: number;
  lsp: boolean;
}

interface CorpusSpec {
  label: string;
  root: string;
  generated: boolean;
  planted: Planted[];
  plantedCounts?: Record<string, number>;
  appNames: string[];
}

function pickFiles(root: string, files: string[], generated: boolean): { view: string | null; model: string | null; keystroke: { file: string; text: string } } {
  const rel = (f: string) => path.relative(root, f).split(path.sep).join("/");
  if (generated) {
    const views = files.filter((f) => rel(f).endsWith("/views.py"));
    const models = files.filter((f) => rel(f).endsWith("/models/core.py"));
    return { view: views[views.length >> 1] ?? null, model: models[models.length >> 1] ?? null, keystroke: { file: "", text: "" } };
  }
  // Only files the engine analyzes (tests and migrations it does not).
  const sizes = files.filter((f) => !isTestOrMigration(rel(f))).map((f) => ({ f, lines: countLines(fs.readFileSync(f, "utf8")) }));
  const views = sizes.filter((s) => /views?(\/[^/]+)?\.py$|\/views\//.test(rel(s.f))).sort((a, b) => b.lines - a.lines);
  const models = sizes.filter((s) => /(^|\/)models(\/[^/]+)?\.py$/.test(rel(s.f)) && !rel(s.f).includes("/migrations/")).sort((a, b) => b.lines - a.lines);
  // The module closest to 5,000 lines.
  const ks = [...sizes].sort((a, b) => Math.abs(a.lines - 5000) - Math.abs(b.lines - 5000))[0];
  return { view: views[0]?.f ?? null, model: models[0]?.f ?? null, keystroke: { file: ks.f, text: fs.readFileSync(ks.f, "utf8") } };
}

async function benchCorpus(spec: CorpusSpec, opts: Options): Promise<Record<string, unknown>> {
  // Loaded here, not at the top, so the child processes do not load the LSP libraries.
  const { DEBOUNCE_MS } = await import("../server/src/lsp/server");
  log(`corpus ${spec.label}: ${spec.root}`);
  const files = listWorkspace(spec.root).python;
  const picks = pickFiles(spec.root, files, spec.generated);
  const keystroke = spec.generated ? { file: path.join(spec.root, "bench_keystroke_views.py"), text: keystrokeModule(spec.appNames) } : picks.keystroke;
  const input: ChildInput = { root: spec.root, reps: opts.reps, planted: spec.planted, keystroke, viewFile: picks.view, modelFile: picks.model, edits: KEYSTROKE_EDITS };
  const inputFile = path.join(os.tmpdir(), `django-orm-hints-bench-${process.pid}.json`);
  fs.writeFileSync(inputFile, JSON.stringify(input));
  try {
    log("measuring parse floor, full check, re-check and in-process keystrokes (child process)");
    const m = runChild<MeasureResult>("measure", ["--input", inputFile], ["--expose-gc"]);
    log("measuring peak RSS of one full check (child process)");
    const rssRuns: { peakRssMB: number; checkMs: number }[] = [];
    for (let i = 0; i < Math.min(2, opts.reps); i++) rssRuns.push(runChild("check", ["--root", spec.root]));
    let lsp: LspResult | null = null;
    if (opts.lsp) {
      if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
      log("measuring the language server: cold start, 50 open files, keystrokes");
      lsp = await measureLsp(spec.root, files, keystroke, opts.reps);
    }
    const k = m.keystroke;
    return {
      corpus: spec.label,
      root: spec.root,
      files: m.files,
      lines: m.lines,
      bytes: m.bytes,
      parseFloorMs: round(m.parseFloorMs),
      parseSnapshotMs: round(m.parseSnapshotMs),
      checkMs: round(m.cliCheckMs),
      checkToFloor: round(m.cliCheckMs / m.parseFloorMs, 2),
      analyzedFiles: m.analyzedFiles,
      analyzedFloorMs: round(m.analyzedFloorMs),
      checkToAnalyzedFloor: round(m.cliCheckMs / m.analyzedFloorMs, 2),
      checkThreads: m.threads,
      checkOneThreadMs: round(m.checkMs),
      checkOneThreadToFloor: round(m.checkMs / m.parseFloorMs, 2),
      parseFloorCpuMs: round(m.parseFloorCpuMs),
      checkCpuMs: round(m.checkCpuMs),
      checkToFloorCpu: round(m.checkCpuMs / m.parseFloorCpuMs, 2),
      loadAverage: os.loadavg().map((x) => round(x, 2)),
      indexMs: round(m.indexMs),
      analyzeMs: round(m.analyzeMs),
      indexMsPer300kLines: round((m.indexMs / m.lines) * 300000),
      indexRebuildMs: round(m.indexRebuildMs, 2),
      floorUsPerLine: round((m.parseFloorMs * 1000) / m.lines, 2),
      checkUsPerLine: round((m.cliCheckMs * 1000) / m.lines, 2),
      parseFloorRuns: m.parseFloorRuns,
      checkRuns: m.cliCheckRuns,
      checkOneThreadRuns: m.checkRuns,
      keystrokeP50Ms: round(k.p50Ms, 2),
      keystrokeP90Ms: round(k.p90Ms, 2),
      keystrokeP99Ms: round(k.p99Ms, 2),
      keystrokeMaxMs: round(k.maxMs, 2),
      keystrokeReparseP50Ms: round(k.reparseP50Ms, 2),
      keystrokeAnalyzeP50Ms: round(k.analyzeP50Ms, 2),
      keystrokeIndexRebuilds: k.indexRebuilds,
      keystrokeEdits: KEYSTROKE_EDITS,
      keystrokeModule: { file: path.relative(spec.root, k.file), lines: k.lines, hints: k.hints, parseMs: round(k.parseScratchMs, 2), parseSnapshotMs: round(k.parseSnapshotScratchMs, 2), analyzeMs: round(k.analyzeOnlyMs, 2), analyzeToParse: round(k.analyzeOnlyMs / k.parseScratchMs, 2), firstAnalysisMs: round(k.firstAnalysisMs, 2) },
      debounceMs: DEBOUNCE_MS,
      keystrokeLspP50Ms: lsp ? round(lsp.keystrokeLspP50Ms, 2) : null,
      keystrokeLspP90Ms: lsp ? round(lsp.keystrokeLspP90Ms, 2) : null,
      keystrokeLspP99Ms: lsp ? round(lsp.keystrokeLspP99Ms, 2) : null,
      keystrokeLspMaxMs: lsp ? round(lsp.keystrokeLspMaxMs, 2) : null,
      keystrokeLspMinusDebounceP50Ms: lsp ? round(lsp.keystrokeLspP50Ms - DEBOUNCE_MS, 2) : null,
      recheckViewMs: round(m.recheck.viewChangeMs, 2),
      recheckModelMs: round(m.recheck.modelChangeMs, 2),
      recheckModelReindexMs: round(m.recheck.modelReindexMs, 2),
      recheckModelDependents: m.recheck.dependents,
      recheckFiles: { view: m.recheck.viewFile && path.relative(spec.root, m.recheck.viewFile), model: m.recheck.modelFile && path.relative(spec.root, m.recheck.modelFile) },
      peakRssMB: round(median(rssRuns.map((r) => r.peakRssMB))),
      serverRss50FilesMB: lsp ? round(lsp.serverRss50MB) : null,
      serverPeakRss50FilesMB: lsp ? round(lsp.serverPeakRss50MB) : null,
      openedFiles: lsp?.openedFiles ?? null,
      coldStartMs: lsp ? round(lsp.coldStartMs) : null,
      coldStartRuns: lsp?.coldStartRuns ?? null,
      initializeMs: lsp ? round(lsp.initializeMs, 2) : null,
      keystrokeOpenMs: lsp ? round(lsp.keystrokeOpenMs) : null,
      hintsByRule: m.hintsByRule,
      planted: m.planted,
      reps: opts.reps,
    };
  } finally {
    fs.rmSync(inputFile, { force: true });
  }
}

function machine(): Record<string, unknown> {
  return { nproc: os.cpus().length, cpu: os.cpus()[0]?.model ?? "?", node: process.version, platform: `${os.platform()} ${os.release()}`, memGB: round(os.totalmem() / 2 ** 30) };
}

const ms = (x: unknown) => (typeof x === "number" ? `${x} ms` : "n/a");

function table(r: Record<string, unknown>): string {
  const k = r.keystrokeModule as { file: string; lines: number; parseMs: number; analyzeMs: number; analyzeToParse: number };
  const target = (ok: boolean) => (ok ? "ok" : "MISSED");
  const rows: [string, string, string][] = [
    ["corpus", `${r.corpus} (${r.files} files, ${r.lines} lines)`, ""],
    ["parse floor (read + parse, 1 core)", ms(r.parseFloorMs), `${r.floorUsPerLine} µs/line`],
    ["parse + snapshot (engine's parseText)", ms(r.parseSnapshotMs), ""],
    [`full check, as the CLI runs it (${r.checkThreads} thread${r.checkThreads === 1 ? "" : "s"})`, ms(r.checkMs), `${r.checkUsPerLine} µs/line`],
    ["  check / parse floor", String(r.checkToFloor), `target ≤ 1.5: ${target((r.checkToFloor as number) <= 1.5)}`],
    [`  floor of the ${r.analyzedFiles} files the check parses`, ms(r.analyzedFloorMs as number), `check / that floor ${r.checkToAnalyzedFloor} (tests and migrations are not parsed)`],
    ["full check on one thread", ms(r.checkOneThreadMs), `check / parse floor ${r.checkOneThreadToFloor}`],
    ["  the same in CPU time (floor, check, ratio)", `${r.parseFloorCpuMs} ms, ${r.checkCpuMs} ms, ${r.checkToFloorCpu}`, `load average ${(r.loadAverage as number[]).join(" ")}`],
    ["  index (Project.scan)", ms(r.indexMs), `${r.indexMsPer300kLines} ms per 300k lines; target < 5000: ${target((r.indexMsPer300kLines as number) < 5000)}`],
    ["  analyze every file", ms(r.analyzeMs), ""],
    ["  model index rebuild", ms(r.indexRebuildMs), ""],
    [`keystroke, in process (${k.lines}-line module), p50`, ms(r.keystrokeP50Ms), `target ≤ 5: ${target((r.keystrokeP50Ms as number) <= 5)}; issue 2 < 10: ${target((r.keystrokeP50Ms as number) < 10)}`],
    ["  p90 / p99 / max", `${r.keystrokeP90Ms} / ${r.keystrokeP99Ms} / ${r.keystrokeMaxMs} ms`, ""],
    ["  reparse+snapshot / analyze, p50", `${r.keystrokeReparseP50Ms} / ${r.keystrokeAnalyzeP50Ms} ms`, `${r.keystrokeIndexRebuilds} of ${r.keystrokeEdits} edits rebuilt the model index`],
    [`keystroke via LSP (incl. ${r.debounceMs} ms debounce), p50`, ms(r.keystrokeLspP50Ms), `minus debounce: ${ms(r.keystrokeLspMinusDebounceP50Ms)}`],
    ["  p90 / p99 / max", `${r.keystrokeLspP90Ms} / ${r.keystrokeLspP99Ms} / ${r.keystrokeLspMaxMs} ms`, ""],
    ["5k-line module: analyze vs tree-sitter parse", `${k.analyzeMs} vs ${k.parseMs} ms`, `ratio ${k.analyzeToParse}; issue 2 target ≤ 2: ${target(k.analyzeToParse <= 2)}`],
    ["re-check after a view change (warm)", ms(r.recheckViewMs), String((r.recheckFiles as { view: string }).view)],
    ["re-check after a model change (warm)", ms(r.recheckModelMs), `${(r.recheckFiles as { model: string }).model} + ${r.recheckModelDependents} dependents; reindex ${r.recheckModelReindexMs} ms`],
    ["peak RSS, full check (child process)", `${r.peakRssMB} MB`, `target ≤ 400: ${target((r.peakRssMB as number) <= 400)}`],
    [`server RSS after opening ${r.openedFiles} files`, r.serverRss50FilesMB === null ? "n/a" : `${r.serverRss50FilesMB} MB`, r.serverPeakRss50FilesMB === null ? "" : `peak ${r.serverPeakRss50FilesMB} MB`],
    ["cold start (spawn to first diagnostics)", ms(r.coldStartMs), `initialize reply ${ms(r.initializeMs)}`],
    ["hints", Object.entries(r.hintsByRule as Record<string, number>).map(([a, b]) => `${a} ${b}`).join(", "), ""],
  ];
  const planted = r.planted as MeasureResult["planted"];
  if (planted) for (const [rule, p] of Object.entries(planted)) rows.push([`planted ${rule} found`, `${p.found}/${p.planted}`, `${p.extra.length ? `${p.extra.length}+ not planted, e.g. ${p.extra[0]}` : "no extras"}${p.missed.length ? `; missed e.g. ${p.missed[0]}` : ""}`]);
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  return rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd()).join("\n") + "\n";
}

function generatedSpec(lines: number): CorpusSpec {
  log(`generating ${lines} lines`);
  const c = generate(lines);
  return { label: `generated ${sizeLabel(lines)}`, root: c.root, generated: true, planted: c.planted, plantedCounts: c.counts, appNames: c.appNames };
}

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => argv.includes(name);
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (value("--edits")) KEYSTROKE_EDITS = Math.max(1, Number(value("--edits")));
  const opts: Options = { json: flag("--json"), reps: Number(value("--reps") ?? 3), lsp: !flag("--no-lsp") };
  const results: Record<string, unknown>[] = [];
  if (flag("--scaling")) {
    for (const n of [10000, 100000, 1000000]) {
      const r = await benchCorpus(generatedSpec(n), opts);
      results.push(r);
      if (!opts.json) process.stdout.write(`\n${table(r)}`);
    }
    const rows = results.map((r) => ({ corpus: r.corpus, lines: r.lines, floorUsPerLine: r.floorUsPerLine, checkUsPerLine: r.checkUsPerLine, checkToFloor: r.checkToFloor, peakRssMB: r.peakRssMB }));
    if (opts.json) process.stdout.write(JSON.stringify({ ...results[1], machine: machine(), scaling: rows, runs: results }, null, 2) + "\n");
    else {
      process.stdout.write("\nscaling (time per line should stay flat)\n");
      for (const r of rows) process.stdout.write(`  ${String(r.corpus).padEnd(16)} ${String(r.lines).padStart(8)} lines  floor ${r.floorUsPerLine} µs/line  check ${r.checkUsPerLine} µs/line  ratio ${r.checkToFloor}  peak RSS ${r.peakRssMB} MB\n`);
    }
    return;
  }
  const corpusDir = value("--corpus");
  const spec: CorpusSpec = corpusDir
    ? { label: path.basename(path.resolve(corpusDir)), root: path.resolve(corpusDir), generated: false, planted: [], appNames: [] }
    : generatedSpec(Number(value("--size") ?? 100000));
  const r = await benchCorpus(spec, opts);
  if (opts.json) process.stdout.write(JSON.stringify({ ...r, machine: machine() }, null, 2) + "\n");
  else process.stdout.write(`\nmachine: ${JSON.stringify(machine())}\n${table(r)}`);
}

if (require.main === module) {
  const ci = process.argv.indexOf("--child");
  if (ci >= 0) {
    const mode = process.argv[ci + 1];
    const work = mode === "measure" ? childMeasure() : mode === "check" ? childCheck() : Promise.reject(new Error(`unknown child mode ${mode}`));
    work.then(
      (r) => process.stdout.write(JSON.stringify(r)),
      (e) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        process.exitCode = 1;
      },
    );
  } else {
    main(process.argv.slice(2)).catch((e) => {
      process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    });
  }
}
