/**
 * A full check parses each file once: the parse made while indexing is kept for the analysis (Project.keepParses).
 * The hints must be the same as with a fresh parse per analysis, whatever the budget.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { generate } from "../bench/generate";
import { keepBudget, Project } from "../server/src/engine/project";
import { initParser } from "../server/src/engine/parser";
import { RULES } from "../rules";
import { EXAMPLE, tempDir } from "./helpers";

/** Every file's hints, as strings, in file order. */
function checkAll(project: Project): string[] {
  const out: string[] = [];
  for (const file of project.files()) {
    const text = project.textOf(file);
    if (text === null) continue;
    for (const h of project.analyze(file, text)) out.push(JSON.stringify(h));
  }
  return out;
}

function fresh(root: string): string[] {
  const project = new Project([root], RULES);
  project.scan();
  return checkAll(project);
}

function kept(root: string, budget?: number, afterIndex?: () => void): string[] {
  const project = new Project([root], RULES);
  project.keepParses(null, budget);
  project.scan();
  afterIndex?.();
  const hints = checkAll(project);
  project.dropKeptParses();
  return hints;
}

describe("check: one parse per file", () => {
  it("gives the same hints as a fresh parse per analysis (example project, generated project, any budget)", async () => {
    await initParser();
    const example = fresh(EXAMPLE);
    assert.ok(example.length > 20);
    assert.deepEqual(kept(EXAMPLE), example);
    const corpus = generate(6_000, tempDir("orm-hints-keep-"));
    const expected = fresh(corpus.root);
    assert.ok(expected.length > 30, `${expected.length} hints`);
    assert.deepEqual(kept(corpus.root), expected);
    // A budget that keeps only some files: the others are parsed again.
    assert.deepEqual(kept(corpus.root, 40_000), expected);
    assert.deepEqual(kept(corpus.root, 0), expected);
  });

  it("analyzes the text it indexed without reading the file again", async () => {
    await initParser();
    const root = tempDir("orm-hints-keep-");
    fs.cpSync(EXAMPLE, root, { recursive: true });
    const expected = fresh(root);
    const views = path.join(root, "catalog", "views.py");
    assert.ok(expected.some((h) => h.includes("views.py")));
    const source = fs.readFileSync(views);
    // Deleted after indexing: with its parse kept, the analysis still has the text (and the same hints).
    assert.deepEqual(kept(root, undefined, () => fs.rmSync(views)), expected);
    // With nothing kept, the analysis reads the file again, and finds it gone.
    fs.writeFileSync(views, source);
    const reread = kept(root, 0, () => fs.rmSync(views));
    assert.ok(!reread.some((h) => h.includes("catalog/views.py")), "the file was not read again");
    assert.ok(reread.length < expected.length);
  });

  it("keeps about 5% of the machine's memory, at most a quarter of the heap limit, at least 8 million characters", () => {
    const GB = 1024 ** 3;
    // 24 GiB and Node's 4 GB heap: the heap limit decides (1 GB of snapshots, about 22 bytes a character).
    assert.equal(keepBudget(24 * GB, 4 * GB), Math.floor(GB / 22));
    // 8 GiB: 5% of memory decides.
    assert.equal(keepBudget(8 * GB, 4 * GB), Math.floor((8 * GB * 0.05) / 22));
    // A small machine or heap still keeps saleor-sized projects' parses.
    assert.equal(keepBudget(2 * GB, 512 * 1024 ** 2), 8_000_000);
  });
});
