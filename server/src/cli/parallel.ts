/**
 * A whole-project check on several cores. Worker threads index shards of the Python files (parse + facts), the
 * main thread joins their facts into the index, and the workers then analyze shards of the targets, each with
 * the whole index. The hints, and the notices in their order, are the same as on one thread
 * (test/parallel.test.ts compares them).
 *
 * The worker runs this same file (the bundled dist/cli.js, or this module when run from out/): the block at the
 * bottom starts only in a thread created here.
 */
import * as fs from "fs";
import * as os from "os";
import { isMainThread, parentPort, Worker, workerData } from "worker_threads";
import { RULES } from "../../../rules";
import type { Config } from "../engine/config";
import { initParser } from "../engine/parser";
import { KEEP_PARSES_CHARS, Project, type IndexedFile, type Notice } from "../engine/project";
import type { Hint } from "../engine/types";

const TAG = "django-orm-hints-check-worker";

interface WorkerSetup {
  tag: typeof TAG;
  roots: string[];
  config: Config;
}

type Request = { kind: "index"; files: string[]; keep: string[]; budget: number } | { kind: "analyze"; entries: IndexedFile[]; templateDirs: string[]; targets: string[] };

type Reply =
  | { kind: "indexed"; entries: IndexedFile[]; notices: Notice[][] }
  | { kind: "analyzed"; hints: Hint[][]; notices: Notice[][] }
  | { kind: "failed"; message: string };

/** Below this many Python files a check stays on one thread: starting workers would cost more than it saves. */
const MIN_FILES = 64;

/**
 * How many threads a check of `files` Python files uses: DJANGO_ORM_HINTS_WORKERS when set (1 turns threads
 * off); else 1 for small projects and on fewer than 4 cores, and the cores available, at most 4, otherwise.
 * (On 2 cores, measured on a saleor checkout: 1.3x faster for 60 MB more memory, and 1.1x on the generated
 * 100k-line project: the work is memory-bound, and two threads slow each other down.)
 */
export function workerCount(files: number): number {
  const env = process.env.DJANGO_ORM_HINTS_WORKERS;
  if (env !== undefined && env.trim() !== "") {
    const n = Number.parseInt(env, 10);
    return Number.isFinite(n) && n > 1 ? Math.min(n, 16) : 1;
  }
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return files >= MIN_FILES && cores >= 4 ? Math.min(cores, 4) : 1;
}

/** Splits files into n shards of about the same total size, each keeping the given order. */
function shards(files: readonly string[], n: number, size: (f: string) => number): string[][] {
  const load = new Array<number>(n).fill(0);
  const out: string[][] = Array.from({ length: n }, () => []);
  const order = files.map((f, i) => ({ f, i, s: size(f) })).sort((a, b) => b.s - a.s || a.i - b.i);
  const assigned = new Map<string, number>();
  for (const x of order) {
    let k = 0;
    for (let j = 1; j < n; j++) if (load[j] < load[k]) k = j;
    load[k] += x.s + 1;
    assigned.set(x.f, k);
  }
  for (const f of files) out[assigned.get(f)!].push(f);
  return out;
}

class Pool {
  private readonly workers: Worker[];

  constructor(n: number, setup: Omit<WorkerSetup, "tag">) {
    this.workers = Array.from({ length: n }, () => new Worker(__filename, { workerData: { tag: TAG, ...setup } satisfies WorkerSetup }));
  }

  get size(): number {
    return this.workers.length;
  }

  private ask(i: number, req: Request): Promise<Reply> {
    const w = this.workers[i];
    return new Promise((resolve, reject) => {
      const onMessage = (r: Reply) => {
        w.off("error", onError);
        if (r.kind === "failed") reject(new Error(r.message));
        else resolve(r);
      };
      const onError = (e: Error) => {
        w.off("message", onMessage);
        reject(e);
      };
      w.once("message", onMessage);
      w.once("error", onError);
      w.postMessage(req);
    });
  }

  all(reqs: Request[]): Promise<Reply[]> {
    return Promise.all(reqs.map((r, i) => this.ask(i, r)));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** A file's size, for balancing shards (0 when unreadable: the worker reports it). */
function sizeOf(f: string): number {
  try {
    return fs.statSync(f).size;
  } catch {
    return 0;
  }
}

/**
 * Indexes `files` (the project's listing) and analyzes the Python `targets` on `n` threads. Returns each
 * target's hints; notices go to the project in the order one thread would give them.
 */
export async function checkInParallel(project: Project, files: readonly string[], n: number, targets: readonly string[]): Promise<Map<string, Hint[]>> {
  const pool = new Pool(n, { roots: [...project.roots], config: project.config });
  try {
    const indexShards = shards(files, pool.size, sizeOf);
    // Each worker analyzes the targets it indexed, with the parses it kept (the rest are spread over the workers).
    const wanted = new Set(targets);
    const analyzeShards = indexShards.map((s) => s.filter((f) => wanted.has(f)));
    const placed = new Set(analyzeShards.flat());
    targets.filter((f) => !placed.has(f)).forEach((f, i) => analyzeShards[i % pool.size].push(f));
    const budget = Math.floor(KEEP_PARSES_CHARS / pool.size);
    const indexed = await pool.all(indexShards.map((s, k) => ({ kind: "index", files: s, keep: analyzeShards[k], budget })));
    const byFile = new Map<string, { entry?: IndexedFile; notices: Notice[] }>();
    indexed.forEach((r, k) => {
      if (r.kind !== "indexed") return;
      const entries = new Map(r.entries.map((e) => [e.file, e]));
      indexShards[k].forEach((f, j) => byFile.set(f, { entry: entries.get(f), notices: r.notices[j] ?? [] }));
    });
    const all: IndexedFile[] = [];
    for (const f of files) {
      const x = byFile.get(f);
      for (const nt of x?.notices ?? []) project.notice(nt.message, nt.file);
      if (x?.entry) all.push(x.entry);
    }
    project.adoptEntries(all);
    project.scanned();

    const analyzed = await pool.all(analyzeShards.map((s) => ({ kind: "analyze", entries: all, templateDirs: [...project.templateFolders], targets: s })));
    const hints = new Map<string, Hint[]>();
    const notices = new Map<string, Notice[]>();
    analyzed.forEach((r, k) => {
      if (r.kind !== "analyzed") return;
      analyzeShards[k].forEach((f, j) => {
        hints.set(f, r.hints[j] ?? []);
        notices.set(f, r.notices[j] ?? []);
      });
    });
    for (const f of targets) for (const nt of notices.get(f) ?? []) project.notice(nt.message, nt.file);
    return hints;
  } finally {
    await pool.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The worker

function serve(setup: WorkerSetup): void {
  const project = new Project(setup.roots, RULES);
  project.config = setup.config;
  const ready = initParser();
  const since = (before: number) => project.notices.slice(before);
  parentPort!.on("message", (req: Request) => {
    void ready.then(() => {
      let reply: Reply;
      try {
        if (req.kind === "index") {
          project.keepParses(req.keep, req.budget);
          const notices: Notice[][] = [];
          for (const f of req.files) {
            const before = project.notices.length;
            project.indexFile(f);
            notices.push(since(before));
          }
          reply = { kind: "indexed", entries: project.exportEntries(req.files), notices };
        } else {
          project.adoptEntries(req.entries, req.templateDirs);
          project.scanned();
          const hints: Hint[][] = [];
          const notices: Notice[][] = [];
          for (const f of req.targets) {
            const before = project.notices.length;
            let hs: Hint[] = [];
            try {
              const text = project.textOf(f);
              if (text !== null) hs = project.analyze(f, text);
            } catch (e) {
              project.notice(`analysis failed: ${(e as Error).message}`, f);
            }
            hints.push(hs);
            notices.push(since(before));
          }
          project.dropKeptParses();
          reply = { kind: "analyzed", hints, notices };
        }
      } catch (e) {
        reply = { kind: "failed", message: (e as Error).stack ?? String(e) };
      }
      parentPort!.postMessage(reply);
    });
  });
}

if (!isMainThread && (workerData as WorkerSetup | undefined)?.tag === TAG) serve(workerData as WorkerSetup);
