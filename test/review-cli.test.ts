/**
 * Review before commit, command line (issue 7): --format sarif|github, --changed, --select/--ignore, --fix,
 * --exit-zero and the pyproject.toml configuration. Spawns the built CLI as a user runs it.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { RULES } from "../rules";
import { escapeData, escapeProperty } from "../server/src/cli/format";
import { docsUrl } from "../server/src/engine/types";
import { AUTHOR_BOOK_MODELS, CLI, EXAMPLE, tempDir, writeTree } from "./helpers";

interface Pos {
  line: number;
  character: number;
}
interface JsonHint {
  file: string;
  range: { start: Pos; end: Pos };
  code: string;
  severity: string;
  message: string;
  fixes: { title: string; edits: unknown[] }[];
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 60000, env: { ...process.env, DJANGO_ORM_HINTS_DEBUG: "", ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[], cwd: string): { status: number | null; hints: JsonHint[]; stderr: string } {
  const r = cli(["check", "--format", "json", ...args], cwd);
  try {
    return { status: r.status, hints: JSON.parse(r.stdout) as JsonHint[], stderr: r.stderr };
  } catch (e) {
    throw new Error(`stdout is not JSON (${(e as Error).message}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** A copy of the example project in a temporary folder. */
function exampleCopy(): string {
  const dir = path.join(tempDir("orm-hints-review-"), "example");
  fs.cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

const MODELS = AUTHOR_BOOK_MODELS;
/** One n-plus-one hint (line 5). */
const N_PLUS_ONE = `from shop.models import Book


def titles():
    return [(b.title, b.author.name) for b in Book.objects.all()]
`;
/** One queryset-in-loop hint. */
const IN_LOOP = `from shop.models import Author, Book


def counts(names):
    out = []
    for name in names:
        out.append(Author.objects.get(name=name))
    return out
`;

// ---------------------------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const LEVELS = ["none", "note", "warning", "error"];

function checkRegion(r: unknown, where: string): void {
  assert.ok(isObj(r), `${where}: region`);
  for (const k of ["startLine", "startColumn", "endLine", "endColumn"]) assert.ok(Number.isInteger(r[k]) && (r[k] as number) >= 1, `${where}: region.${k} is a 1-based integer: ${JSON.stringify(r)}`);
  assert.ok((r.endLine as number) >= (r.startLine as number), `${where}: endLine >= startLine`);
  if (r.endLine === r.startLine) assert.ok((r.endColumn as number) >= (r.startColumn as number), `${where}: endColumn >= startColumn`);
}

function checkArtifact(a: unknown, where: string, baseIds: Obj): void {
  assert.ok(isObj(a) && typeof a.uri === "string" && a.uri.length > 0, `${where}: artifactLocation.uri`);
  if (a.uriBaseId !== undefined) {
    assert.ok(typeof a.uriBaseId === "string" && a.uriBaseId in baseIds, `${where}: uriBaseId is declared in originalUriBaseIds`);
    assert.ok(!/^[a-z]+:/i.test(a.uri as string) && !(a.uri as string).startsWith("/"), `${where}: a uri with a base id is relative: ${a.uri}`);
  } else assert.match(a.uri as string, /^file:\/\//, `${where}: without a base id the uri is absolute`);
}

function checkPhysical(p: unknown, where: string, baseIds: Obj): void {
  assert.ok(isObj(p), `${where}: physicalLocation`);
  checkArtifact(p.artifactLocation, where, baseIds);
  if (p.region !== undefined) checkRegion(p.region, where);
}

/** The SARIF 2.1.0 schema's required properties and value constraints, for what this tool emits. */
function validateSarif(log: unknown): void {
  assert.ok(isObj(log), "a SARIF log is an object");
  assert.equal(log.version, "2.1.0");
  assert.ok(typeof log.$schema === "string" && /sarif-schema-2\.1\.0\.json$|sarif-2\.1\.0\.json$/.test(log.$schema), `$schema: ${log.$schema}`);
  assert.ok(Array.isArray(log.runs) && log.runs.length === 1, "one run");
  const run = log.runs[0] as Obj;
  assert.ok(isObj(run.tool) && isObj(run.tool.driver), "run.tool.driver is required");
  const driver = run.tool.driver as Obj;
  assert.equal(typeof driver.name, "string");
  assert.ok(Array.isArray(driver.rules));
  const rules = driver.rules as Obj[];
  assert.deepEqual(rules.map((r) => r.id).sort(), RULES.map((r) => r.meta.id).sort(), "every rule is described");
  assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, "rule ids are unique");
  for (const r of rules) {
    const meta = RULES.find((x) => x.meta.id === r.id)!.meta;
    assert.ok(isObj(r.shortDescription) && typeof r.shortDescription.text === "string" && r.shortDescription.text.length > 0, `${r.id}: shortDescription.text`);
    assert.equal(r.helpUri, docsUrl(meta.id), `${r.id}: helpUri is the rule's doc`);
    assert.ok(isObj(r.defaultConfiguration) && LEVELS.includes(r.defaultConfiguration.level as string), `${r.id}: defaultConfiguration.level`);
    assert.equal((r.defaultConfiguration as Obj).level, meta.defaultSeverity === "error" ? "error" : meta.defaultSeverity === "warning" ? "warning" : "note");
  }
  assert.equal(run.columnKind, "utf16CodeUnits", "the run says which column unit it uses");
  const baseIds = (run.originalUriBaseIds ?? {}) as Obj;
  for (const [k, v] of Object.entries(baseIds)) {
    assert.ok(isObj(v) && typeof v.uri === "string", `originalUriBaseIds.${k}.uri`);
    assert.match(v.uri as string, /^file:\/\/.*\/$/, "a base uri is absolute and ends with a slash");
  }
  assert.ok(Array.isArray(run.results), "run.results");
  for (const [i, res] of (run.results as Obj[]).entries()) {
    const where = `results[${i}]`;
    assert.ok(isObj(res.message) && typeof res.message.text === "string" && res.message.text.length > 0, `${where}: message.text is required`);
    assert.ok(rules.some((r) => r.id === res.ruleId), `${where}: ruleId ${res.ruleId} is a described rule`);
    if (res.ruleIndex !== undefined) assert.equal(rules[res.ruleIndex as number].id, res.ruleId, `${where}: ruleIndex points at its rule`);
    assert.ok(LEVELS.includes(res.level as string), `${where}: level`);
    assert.ok(Array.isArray(res.locations) && res.locations.length >= 1, `${where}: locations`);
    for (const loc of res.locations as Obj[]) checkPhysical(loc.physicalLocation, where, baseIds);
    for (const rel of (res.relatedLocations ?? []) as Obj[]) {
      assert.ok(Number.isInteger(rel.id), `${where}: relatedLocations id`);
      checkPhysical(rel.physicalLocation, `${where} related`, baseIds);
    }
    for (const fix of (res.fixes ?? []) as Obj[]) {
      assert.ok(Array.isArray(fix.artifactChanges) && fix.artifactChanges.length >= 1, `${where}: fix.artifactChanges is required`);
      for (const ch of fix.artifactChanges as Obj[]) {
        checkArtifact(ch.artifactLocation, `${where} fix`, baseIds);
        assert.ok(Array.isArray(ch.replacements) && ch.replacements.length >= 1, `${where}: replacements is required`);
        for (const rep of ch.replacements as Obj[]) {
          checkRegion(rep.deletedRegion, `${where} fix`);
          assert.ok(rep.insertedContent === undefined || (isObj(rep.insertedContent) && typeof rep.insertedContent.text === "string"));
        }
      }
    }
  }
}

describe("review cli: --format sarif", () => {
  it("validates structurally as SARIF 2.1.0, and the n-plus-one of catalog/views.py line 22 sits on the right line and column", () => {
    const r = cli(["check", "--format", "sarif", "--root", EXAMPLE, EXAMPLE], EXAMPLE);
    assert.equal(r.status, 1, r.stderr);
    const log = JSON.parse(r.stdout);
    validateSarif(log);
    const run = log.runs[0];
    assert.equal(run.originalUriBaseIds["%SRCROOT%"].uri, pathToFileURL(EXAMPLE).href + "/");
    const source = fs.readFileSync(path.join(EXAMPLE, "catalog", "views.py"), "utf8").split(/\r?\n/);
    const line22 = source[21];
    const col = line22.indexOf("book.author.name");
    assert.ok(col >= 0, `line 22 reads book.author.name: ${line22}`);
    const hit = run.results.find((x: Obj) => {
      const loc = (x.locations as Obj[])[0].physicalLocation as Obj;
      return x.ruleId === "n-plus-one" && (loc.artifactLocation as Obj).uri === "catalog/views.py" && (loc.region as Obj).startLine === 22;
    });
    assert.ok(hit, "an n-plus-one result on catalog/views.py line 22");
    const loc = hit.locations[0].physicalLocation;
    assert.equal(loc.artifactLocation.uriBaseId, "%SRCROOT%");
    assert.equal(loc.region.startColumn, col + 1, "1-based column of book.author");
    assert.equal(loc.region.endLine, 22);
    assert.equal(line22.slice(loc.region.startColumn - 1, loc.region.endColumn - 1), "book.author", "endColumn is exclusive");
    assert.equal(hit.level, "warning");
    assert.ok(hit.fixes?.length, "the select_related fix travels along");
    assert.match(JSON.stringify(hit.fixes), /select_related/);
  });

  it("has one result per JSON hint, with the same positions (+1)", () => {
    const sarif = JSON.parse(cli(["check", "--format", "sarif", "."], EXAMPLE).stdout);
    const { hints } = json(["."], EXAMPLE);
    const results = sarif.runs[0].results as Obj[];
    assert.equal(results.length, hints.length);
    hints.forEach((h, i) => {
      const loc = ((results[i].locations as Obj[])[0].physicalLocation as Obj);
      const region = loc.region as Obj;
      assert.equal(results[i].ruleId, h.code);
      assert.equal((results[i].message as Obj).text, h.message);
      assert.equal((loc.artifactLocation as Obj).uri, path.relative(EXAMPLE, h.file).split(path.sep).join("/"));
      assert.deepEqual([region.startLine, region.startColumn, region.endLine, region.endColumn], [h.range.start.line + 1, h.range.start.character + 1, h.range.end.line + 1, h.range.end.character + 1]);
    });
  });

  it("is valid with no results, and uses absolute file URIs outside --root", () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": N_PLUS_ONE, "other/x.py": "x = 1\n" });
    const clean = JSON.parse(cli(["check", "--format", "sarif", "other"], dir).stdout);
    validateSarif(clean);
    assert.deepEqual(clean.runs[0].results, []);
    const outside = JSON.parse(cli(["check", "--format", "sarif", "--root", path.join(dir, "other"), path.join(dir, "shop")], dir).stdout);
    validateSarif(outside);
    for (const res of outside.runs[0].results) assert.match(res.locations[0].physicalLocation.artifactLocation.uri, /^file:\/\//);
  });
});

describe("review cli: --format github", () => {
  it("prints one workflow command per hint, with 1-based positions and the rule as title", () => {
    const { hints } = json(["."], EXAMPLE);
    const r = cli(["check", "--format", "github", "."], EXAMPLE);
    assert.equal(r.status, 1);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, hints.length);
    const re = /^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+),endLine=(\d+),endColumn=(\d+),title=([a-z-]+)::(.+)$/;
    lines.forEach((l, i) => {
      const m = re.exec(l);
      assert.ok(m, `shape: ${l}`);
      const h = hints[i];
      assert.equal(m[1], h.severity === "error" ? "error" : h.severity === "warning" ? "warning" : "notice");
      assert.equal(path.resolve(EXAMPLE, m[2]), h.file);
      assert.deepEqual([m[3], m[4], m[5], m[6]].map(Number), [h.range.start.line + 1, h.range.start.character + 1, h.range.end.line + 1, h.range.end.character + 1]);
      assert.equal(m[7], h.code);
      assert.equal(m[8], escapeData(h.message));
    });
    assert.ok(lines.some((l) => l.startsWith("::warning file=catalog/views.py,line=22,")));
  });

  it("escapes %, CR and LF in messages, and also , and : in properties", () => {
    assert.equal(escapeData("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
    assert.equal(escapeProperty("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views,old.py": N_PLUS_ONE });
    const r = cli(["check", "--format", "github", "."], dir);
    assert.match(r.stdout, /^::warning file=shop\/views%2Cold\.py,line=5,/m);
  });
});

// ---------------------------------------------------------------------------------------------------------------

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", ...args], { cwd, encoding: "utf8" });
}

describe("review cli: --changed", () => {
  it("checks exactly git's changed files: modified, staged and untracked; not unchanged, ignored or deleted ones", () => {
    const dir = writeTree({
      "shop/__init__.py": "",
      "shop/models.py": MODELS,
      "shop/modified.py": "",
      "shop/unchanged.py": N_PLUS_ONE,
      "shop/deleted.py": N_PLUS_ONE,
      ".gitignore": "shop/ignored.py\n",
    });
    git(dir, "init", "-q");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "base");
    fs.writeFileSync(path.join(dir, "shop", "modified.py"), N_PLUS_ONE);
    fs.writeFileSync(path.join(dir, "shop", "staged.py"), N_PLUS_ONE);
    git(dir, "add", "shop/staged.py");
    fs.writeFileSync(path.join(dir, "shop", "untracked.py"), N_PLUS_ONE);
    fs.writeFileSync(path.join(dir, "shop", "ignored.py"), N_PLUS_ONE);
    fs.writeFileSync(path.join(dir, "notes.txt"), "not python\n");
    fs.rmSync(path.join(dir, "shop", "deleted.py"));

    const all = json(["."], dir);
    assert.deepEqual(all.hints.map((h) => path.basename(h.file)).sort(), ["modified.py", "staged.py", "unchanged.py", "untracked.py"], "without --changed every file is checked (.gitignore respected)");

    for (const args of [["--changed"], ["--changed", "HEAD"], ["--changed=HEAD"]]) {
      const r = json([...args], dir);
      assert.equal(r.status, 1, r.stderr);
      assert.deepEqual(r.hints.map((h) => path.relative(dir, h.file)).sort(), [path.join("shop", "modified.py"), path.join("shop", "staged.py"), path.join("shop", "untracked.py")], `${args.join(" ")}: exactly the changed files`);
    }
    const text = cli(["check", "--changed"], dir);
    assert.match(text.stdout, /Found 3 hints in 3 files \(3 checked\)/, text.stdout);

    // A PATH narrows the changed files; --changed followed by an existing path takes HEAD as the base.
    const sub = json(["--changed", "shop/staged.py"], dir);
    assert.deepEqual(sub.hints.map((h) => path.basename(h.file)), ["staged.py"]);

    // Since an older base: the commit that added modified.py's hint counts as a change too.
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "second");
    assert.deepEqual(json(["--changed"], dir).hints, [], "nothing changed since HEAD");
    const since = json(["--changed", "HEAD~1"], dir);
    assert.deepEqual(since.hints.map((h) => path.basename(h.file)).sort(), ["modified.py", "staged.py", "untracked.py"]);
  });

  it("exits 2 outside a git repository or with an unknown base", () => {
    const dir = writeTree({ "a.py": "x = 1\n" });
    const r = cli(["check", "--changed"], dir, { GIT_CEILING_DIRECTORIES: path.dirname(dir) });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--changed: .*git/);
    git(dir, "init", "-q");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "base");
    const bad = cli(["check", "--changed=no-such-branch"], dir);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /no-such-branch/);
    const option = cli(["check", "--changed=--output=x"], dir);
    assert.equal(option.status, 2, "a base that looks like an option is refused");
    assert.ok(!fs.existsSync(path.join(dir, "x")));
  });
});

describe("review cli: --select / --ignore", () => {
  it("runs only the selected rules, skips the ignored ones, and refuses unknown ids", () => {
    const all = json(["."], EXAMPLE).hints;
    const codes = new Set(all.map((h) => h.code));
    assert.ok(codes.has("n-plus-one") && codes.has("queryset-in-loop"));
    const sel = json(["--select", "n-plus-one", "."], EXAMPLE).hints;
    assert.ok(sel.length > 0);
    assert.deepEqual([...new Set(sel.map((h) => h.code))], ["n-plus-one"]);
    assert.equal(sel.length, all.filter((h) => h.code === "n-plus-one").length);
    const two = json(["--select=n-plus-one,queryset-in-loop", "."], EXAMPLE).hints;
    assert.deepEqual([...new Set(two.map((h) => h.code))].sort(), ["n-plus-one", "queryset-in-loop"]);
    const ign = json(["--ignore", "n-plus-one,queryset-in-loop", "."], EXAMPLE).hints;
    assert.equal(ign.length, all.length - two.length);
    assert.ok(!ign.some((h) => h.code === "n-plus-one" || h.code === "queryset-in-loop"));
    const both = json(["--select", "n-plus-one,queryset-in-loop", "--ignore", "queryset-in-loop", "."], EXAMPLE).hints;
    assert.equal(both.length, sel.length);

    for (const args of [["--select", "n-plus-one,bogus-rule"], ["--ignore=bogus-rule"], ["--select", ""]]) {
      const r = cli(["check", ...args, "."], EXAMPLE);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      if (args.join("").includes("bogus")) assert.match(r.stderr, /unknown rule id "bogus-rule"/);
      assert.match(r.stderr, /n-plus-one/, "names the known ids");
    }
  });
});

describe("review cli: --fix", () => {
  it("turns the example's safe hints into edits, says what it changed, and a second run finds none of them", () => {
    const dir = exampleCopy();
    const key = (h: JsonHint) => `${h.file}\0${h.code}\0${h.range.start.line}\0${h.message}`;
    const before = json(["."], dir).hints;
    // Which hints have a safe fix: SARIF marks the others "unsafe" (its results are in the JSON's order).
    const sarifSafe = (cwd: string) =>
      (JSON.parse(cli(["check", "--format", "sarif", "."], cwd).stdout).runs[0].results as Obj[]).map((res) => ((res.fixes ?? []) as Obj[]).some((f) => !/unsafe/.test((f.description as Obj).text as string)));
    const safeFlags = sarifSafe(dir);
    assert.equal(safeFlags.length, before.length);
    const safe = before.filter((_, i) => safeFlags[i]);
    assert.ok(safe.length >= 5, `the example has safe hints: ${safe.length}`);
    assert.ok(safe.some((h) => h.code === "n-plus-one" && h.file.endsWith(path.join("catalog", "views.py")) && h.range.start.line === 21));
    const original = fs.readFileSync(path.join(dir, "catalog", "views.py"), "utf8");

    const r = cli(["check", "--fix", "."], dir);
    assert.match(r.stdout, /^Fixed \d+ hints? in catalog[\\/]views\.py$/m, r.stdout);
    const fixedCount = [...r.stdout.matchAll(/^Fixed (\d+) hints? in /gm)].reduce((n, m) => n + Number(m[1]), 0);
    assert.ok(fixedCount > 0);
    assert.match(r.stdout, new RegExp(`Fixed ${fixedCount} hints?\\.`));

    // The edits are there.
    const views = fs.readFileSync(path.join(dir, "catalog", "views.py"), "utf8");
    assert.notEqual(views, original);
    const line18 = views.split("\n")[17];
    assert.match(line18, /books = Book\.objects\.select_related\("author"\)/, line18);
    assert.match(views, /prefetch_related\("book_set"\)/);

    // The second run finds none of the hints that had a safe fix, and no safe fix is left anywhere.
    const after = json(["."], dir);
    const left = new Set(after.hints.map(key));
    for (const h of safe) assert.ok(!left.has(key(h)), `fixed: ${key(h)}`);
    assert.ok(after.hints.length <= before.length - safe.length, `${after.hints.length} left of ${before.length}, ${safe.length} safe`);
    assert.deepEqual(sarifSafe(dir).filter(Boolean), [], "no safe fix remains");
    assert.ok(!after.hints.some((h) => h.code === "n-plus-one" && h.file.endsWith(path.join("catalog", "views.py"))), "no n-plus-one is left in catalog/views.py");

    // A third run with --fix changes nothing.
    const snapshot = fs.readFileSync(path.join(dir, "catalog", "views.py"), "utf8");
    const again = cli(["check", "--fix", "--format", "json", "."], dir);
    assert.doesNotMatch(again.stderr, /fixed/);
    assert.equal(fs.readFileSync(path.join(dir, "catalog", "views.py"), "utf8"), snapshot);
    assert.deepEqual(JSON.parse(again.stdout).map(key), after.hints.map(key));
  });

  it("keeps stdout machine-readable: what it fixed goes to stderr with --format json", () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": N_PLUS_ONE });
    const r = cli(["check", "--fix", "--format", "json", "."], dir);
    assert.equal(r.status, 0, "nothing remains");
    assert.deepEqual(JSON.parse(r.stdout), []);
    assert.match(r.stderr, /fixed 1 hint in shop[\\/]views\.py/);
    assert.match(fs.readFileSync(path.join(dir, "shop", "views.py"), "utf8"), /Book\.objects\.select_related\("author"\)\.all\(\)/);
  });

  it("never rewrites a file that is not valid UTF-8, and keeps a byte-order mark", () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS });
    const latin = Buffer.concat([Buffer.from("# caf"), Buffer.from([0xe9]), Buffer.from("\n" + N_PLUS_ONE)]);
    fs.writeFileSync(path.join(dir, "shop", "latin.py"), latin);
    fs.writeFileSync(path.join(dir, "shop", "bom.py"), "\uFEFF" + N_PLUS_ONE);
    const r = cli(["check", "--fix", "."], dir);
    assert.deepEqual(fs.readFileSync(path.join(dir, "shop", "latin.py")), latin);
    assert.match(r.stderr, /latin\.py: not fixed/);
    const bom = fs.readFileSync(path.join(dir, "shop", "bom.py"), "utf8");
    assert.ok(bom.startsWith("\uFEFF") && bom.includes('select_related("author")'));
  });
});

describe("review cli: --exit-zero", () => {
  it("exits 0 with hints (still printed); usage errors still exit 2", () => {
    const r = cli(["check", "--exit-zero", "."], EXAMPLE);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /\[n-plus-one\]/);
    assert.equal(cli(["check", "--exit-zero", "--format", "yaml", "."], EXAMPLE).status, 2);
    assert.equal(cli(["check", "."], EXAMPLE).status, 1);
  });
});

describe("review cli: text format", () => {
  it("shows the source line and a caret under the range, without colour when not a TTY", () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": N_PLUS_ONE.replace("    return", "\treturn") });
    const r = cli(["check", "."], dir, { NO_COLOR: "" });
    assert.doesNotMatch(r.stdout, /\x1b\[/, "no ANSI codes when stdout is a pipe");
    const lines = r.stdout.split("\n");
    const i = lines.findIndex((l) => /^shop[\\/]views\.py:5:\d+: warning \[n-plus-one\]/.test(l));
    assert.ok(i >= 0, r.stdout);
    const col = Number(/:5:(\d+):/.exec(lines[i])![1]);
    assert.equal(lines[i + 2], `5 | \treturn [(b.title, b.author.name) for b in Book.objects.all()]`);
    const caret = lines[i + 3];
    assert.ok(caret.startsWith("  | \t"), "tabs are kept so the caret lines up");
    const src = lines[i + 2].slice(4);
    const start = caret.indexOf("^") - 4;
    assert.equal(start, col - 1);
    assert.equal(src.slice(start, start + caret.split("^").length - 1), "b.author");
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("review cli: pyproject.toml [tool.django-orm-hints]", () => {
  const files = {
    "shop/__init__.py": "",
    "shop/models.py": MODELS,
    "shop/views.py": N_PLUS_ONE,
    "shop/loops.py": IN_LOOP,
    "legacy/old.py": IN_LOOP.replace("shop.models", "shop.models"),
  };

  it("reads select/ignore, the severity table and exclude", () => {
    const dir = writeTree({
      ...files,
      "pyproject.toml": `[project]\nname = "shop"\n\n[tool.django-orm-hints]\nselect = ["n-plus-one", "queryset-in-loop"]\nignore = ["n-plus-one"]\nexclude = ["legacy/"]\n\n[tool.django-orm-hints.severity]\nqueryset-in-loop = "error"\n`,
    });
    const r = json(["."], dir);
    assert.equal(r.stderr, "");
    assert.deepEqual(r.hints.map((h) => [path.relative(dir, h.file), h.code, h.severity]), [[path.join("shop", "loops.py"), "queryset-in-loop", "error"]]);
    // Explicit files are excluded too (pre-commit passes file names).
    assert.deepEqual(json(["legacy/old.py", "--root", "."], dir).hints, []);
    // Flags win: --select replaces the configured selection.
    const sel = json(["--select", "n-plus-one", "."], dir);
    assert.deepEqual(sel.hints.map((h) => h.code), ["n-plus-one"]);
    // --ignore adds to it.
    assert.deepEqual(json(["--ignore", "queryset-in-loop", "."], dir).hints, []);
    assert.equal(json(["--ignore", "queryset-in-loop", "."], dir).status, 0);
  });

  it("reads select and the wide-model threshold; is found from a subfolder root up to the repository top", () => {
    const dir = writeTree({ ...files, "pyproject.toml": `[tool.django-orm-hints]\nselect = ["n-plus-one"]\nwide-model-threshold = 3\n` });
    const r = json(["."], dir);
    assert.deepEqual(r.hints.map((h) => h.code), ["n-plus-one"]);
    const sub = json(["--root", "shop", "shop"], dir);
    assert.deepEqual(sub.hints.map((h) => h.code), ["n-plus-one"], "the parent's pyproject.toml applies to --root shop");
  });

  it("an invalid value gives one message naming the key, and that key keeps its default", () => {
    const dir = writeTree({ ...files, "pyproject.toml": `[tool.django-orm-hints]\nwide-model-threshold = "ten"\nignore = ["n-plus-one"]\nselect = ["n-plus-one", "no-such-rule"]\n\n[tool.django-orm-hints.severity]\nqueryset-in-loop = "loud"\n` });
    const r = json(["."], dir);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.filter((l) => /wide-model-threshold/.test(l)).length, 1, r.stderr);
    assert.match(r.stderr, /pyproject\.toml: \[tool\.django-orm-hints\] wide-model-threshold: expected a whole number from 1 to 1000, got "ten"; using 8/);
    assert.match(r.stderr, /\[tool\.django-orm-hints\] select: unknown rule id "no-such-rule"/);
    assert.match(r.stderr, /\[tool\.django-orm-hints\] severity\.queryset-in-loop: expected one of .*got "loud"/);
    assert.equal(r.status, 1, "a bad value is not fatal");
    // select fell back to all rules, ignore still applies, queryset-in-loop has its default severity.
    const mine = r.hints.filter((h) => h.code === "n-plus-one" || h.code === "queryset-in-loop");
    assert.deepEqual(mine.map((h) => [path.relative(dir, h.file), h.code, h.severity]), [[path.join("legacy", "old.py"), "queryset-in-loop", "warning"], [path.join("shop", "loops.py"), "queryset-in-loop", "warning"]]);
  });

  it("a broken TOML file gives one message and the defaults", () => {
    const dir = writeTree({ ...files, "pyproject.toml": `[tool.django-orm-hints\nignore = ["n-plus-one"]\n` });
    const r = json(["."], dir);
    const msgs = r.stderr.trim().split("\n").filter(Boolean);
    assert.equal(msgs.length, 1, r.stderr);
    assert.match(msgs[0], /pyproject\.toml: not valid TOML at line 1, column \d+ .*; using the default settings/);
    const codes = new Set(r.hints.map((h) => h.code));
    assert.ok(codes.has("n-plus-one") && codes.has("queryset-in-loop"), "the table's ignore was not applied");
  });
});
