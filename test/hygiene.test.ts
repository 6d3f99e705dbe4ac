/**
 * Housekeeping that a long-lived machine notices: big listings must not overflow the stack, and the tests must not
 * leave their temporary projects behind.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { appendAll } from "../server/src/engine/files";

describe("appendAll", () => {
  it("appends a listing far larger than the call stack allows for spread arguments", () => {
    const many = Array.from({ length: 1_000_000 }, (_, i) => `f${i}.py`);
    assert.throws(() => [].push(...(many as never[])), RangeError, "spread of this size overflows the stack");
    const out = appendAll(["first.py"], many);
    assert.equal(out.length, 1_000_001);
    assert.equal(out[0], "first.py");
    assert.equal(out[1_000_000], "f999999.py");
  });
});

describe("test temporary folders", () => {
  it("are removed when the test process exits", () => {
    const helpers = path.join(__dirname, "helpers.js");
    const script = `const { tempDir, writeTree } = require(${JSON.stringify(helpers)}); const d = writeTree({ "a/b.py": "x = 1\\n" }); console.log(d); console.log(tempDir("orm-hints-other-"));`;
    const env = { ...process.env };
    delete env.ORM_HINTS_KEEP_TEMP;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env });
    assert.equal(r.status, 0, r.stderr);
    const dirs = r.stdout.trim().split("\n");
    assert.equal(dirs.length, 2);
    for (const d of dirs) assert.equal(fs.existsSync(d), false, `${d} was left behind`);
  });
});
