/** The analysis stays free of LSP and VS Code: only server/src/lsp and client/ may import them. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { REPO } from "./helpers";

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== "cases") out.push(...tsFiles(p));
    else if (e.isFile() && e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

describe("layering", () => {
  it("the engine and the rules import nothing from vscode, vscode-languageserver or the lsp/cli layers", () => {
    const offenders: string[] = [];
    for (const file of [...tsFiles(path.join(REPO, "server", "src", "engine")), ...tsFiles(path.join(REPO, "rules"))]) {
      const text = fs.readFileSync(file, "utf8");
      for (const m of text.matchAll(/from\s+["']([^"']+)["']|require\(\s*["']([^"']+)["']\s*\)/g)) {
        const spec = m[1] ?? m[2];
        if (/^vscode(-|$)/.test(spec) || /\/(lsp|cli)\//.test(spec) || /^\.\.?\/(lsp|cli)\b/.test(spec)) offenders.push(`${path.relative(REPO, file)}: ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it("only server/src/engine/positions.ts converts offsets to lines and characters", () => {
    const converters: string[] = [];
    for (const file of [...tsFiles(path.join(REPO, "server", "src")), ...tsFiles(path.join(REPO, "rules"))]) {
      const text = fs.readFileSync(file, "utf8");
      if (/\bclass LineIndex\b|function positionAt\b|function offsetAt\b/.test(text)) converters.push(path.relative(REPO, file));
    }
    assert.deepEqual(converters, ["server/src/engine/positions.ts"]);
  });
});
