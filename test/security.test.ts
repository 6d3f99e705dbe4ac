/**
 * Security: the analysis never imports, executes or evaluates workspace code, never spawns Python, makes no
 * network access, and reads files only inside the workspace folders.
 *
 * - A workspace whose every entry point (top-level code, __init__.py, settings.py, manage.py, conftest.py,
 *   setup.py, sitecustomize.py, a .pth file, a virtualenv's python) would write a marker file if it ever ran, and
 *   fake `python`/`python3` executables first on PATH that would too: the CLI (check, --fix, every format) and the
 *   server (open, edit, code actions, fix-all) run over it and no marker appears.
 * - Static checks: engine and rule sources import no child_process/http/https/net/dgram/tls and use no eval or
 *   new Function; the bundle dist/cli.js spawns nothing named python and requires no http/https/dgram/tls.
 * - Template names that climb out ("../../etc/passwd", absolute paths) are never read: checked with Project.template
 *   and by recording every fs read during a scan and an analysis.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import { RULES } from "../rules";
import { initParser } from "../server/src/engine/parser";
import { Project } from "../server/src/engine/project";
import { CLI, copyExample, LspServer, REPO, tempDir, uriOf } from "./soak";

const servers: LspServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

/** A workspace (a copy of the example) booby-trapped to write into `markers` if any of it runs. */
function trapped(): { root: string; markers: string; bin: string } {
  const root = copyExample();
  const markers = tempDir("orm-hints-markers-");
  const bin = tempDir("orm-hints-fakebin-");
  const py = (name: string) => `import os as _os\nopen(${JSON.stringify(path.join(markers, name))}, "w").write("ran")\n_os.system(${JSON.stringify(`touch ${path.join(markers, `${name}.system`)}`)})\n`;
  const add = (rel: string, text: string) => {
    const full = path.join(root, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, fs.existsSync(full) && rel.endsWith(".py") ? py(rel.replace(/\W/g, "_")) + fs.readFileSync(full, "utf8") : text);
  };
  for (const rel of ["catalog/__init__.py", "catalog/views.py", "catalog/models/__init__.py", "manage.py"]) add(rel, "");
  add("shop/settings.py", py("settings") + "INSTALLED_APPS = ['catalog']\n");
  add("conftest.py", py("conftest"));
  add("setup.py", py("setup"));
  add("sitecustomize.py", py("sitecustomize"));
  add("usercustomize.py", py("usercustomize"));
  add("tests/test_views.py", py("test_views") + "def test_x():\n    pass\n");
  add("evil.pth", `import os; open(${JSON.stringify(path.join(markers, "pth"))}, "w").write("ran")\n`);
  add("pyproject.toml", `[build-system]\nrequires = []\nbuild-backend = "evil"\n[tool.django-orm-hints]\nselect = ["n-plus-one", "queryset-in-loop", "unpaginated-list"]\n`);
  add("evil.py", py("evil"));
  add(".venv/pyvenv.cfg", "home = /usr/bin\n");
  for (const exe of [".venv/bin/python", ".venv/bin/python3"]) {
    add(exe, `#!/bin/sh\ntouch ${path.join(markers, "venv-python")}\n`);
    fs.chmodSync(path.join(root, exe), 0o755);
  }
  for (const exe of ["python", "python3", "python3.11", "python3.12", "py", "pip", "django-admin", "pytest"]) {
    fs.writeFileSync(path.join(bin, exe), `#!/bin/sh\ntouch ${path.join(markers, `exe-${exe}`)}\n`);
    fs.chmodSync(path.join(bin, exe), 0o755);
  }
  return { root, markers, bin };
}

const pathWith = (bin: string) => `${bin}${path.delimiter}${process.env.PATH ?? ""}`;

describe("security: workspace code never runs", () => {
  it("the CLI (check, every format, --fix) leaves no marker", () => {
    const { root, markers, bin } = trapped();
    const env = { ...process.env, PATH: pathWith(bin), PYTHONPATH: root, DJANGO_SETTINGS_MODULE: "shop.settings" };
    for (const args of [["check", root], ["check", "--format", "json", root], ["check", "--format", "sarif", root], ["check", "--format", "github", root], ["check", "--fix", root]]) {
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: root, env, encoding: "utf8", timeout: 60000 });
      assert.ok(r.status === 0 || r.status === 1, `${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
    }
    assert.deepEqual(fs.readdirSync(markers), []);
  });

  it("the server (open, edit, code actions, fix-all) leaves no marker", async () => {
    const { root, markers, bin } = trapped();
    const server = await LspServer.start(root, { env: { PATH: pathWith(bin), PYTHONPATH: root, DJANGO_SETTINGS_MODULE: "shop.settings" } });
    servers.push(server);
    await server.ready();
    for (const rel of ["catalog/views.py", "manage.py", "shop/settings.py", "conftest.py", "catalog/__init__.py"]) {
      const file = path.join(root, rel);
      const doc = TextDocument.create(uriOf(file), "python", 1, fs.readFileSync(file, "utf8"));
      await server.open(doc);
      const p = await server.diagnostics(doc.uri, 1);
      const change = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "import subprocess; subprocess.run(['python'])\n" };
      TextDocument.update(doc, [change], 2);
      await server.change(doc.uri, 2, [change]);
      const p2 = await server.diagnostics(doc.uri, 2);
      const all = { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) };
      await server.codeActions(doc.uri, all, p2.diagnostics.length ? p2.diagnostics : p.diagnostics);
      await server.codeActions(doc.uri, all, [], ["source.fixAll"]);
    }
    assert.ok(server.alive);
    assert.deepEqual(fs.readdirSync(markers), []);
  });
});

function sources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== "cases" && e.name !== "node_modules") sources(p, out);
    else if (e.isFile() && e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

describe("security: static checks", () => {
  it("engine and rule sources import no process, network or eval facilities", () => {
    const files = [...sources(path.join(REPO, "server", "src", "engine")), ...sources(path.join(REPO, "rules"))];
    assert.ok(files.length > 20, `${files.length} files`);
    const banned = /(?:from\s+|require\(\s*|import\(\s*)["'](?:node:)?(child_process|http|https|http2|net|dgram|tls|worker_threads|vm|cluster|inspector)["']/;
    const bad: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(f, "utf8");
      text.split("\n").forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, "");
        if (banned.test(code) || /\beval\s*\(/.test(code) || /\bnew\s+Function\s*\(/.test(code) || /\bfetch\s*\(/.test(code) || /\bprocess\.binding\b/.test(code)) bad.push(`${path.relative(REPO, f)}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(bad, []);
  });

  it("the bundle dist/cli.js spawns no python and requires no http, https, dgram or tls", () => {
    const bundle = fs.readFileSync(path.join(REPO, "dist", "cli.js"), "utf8");
    const required = [...bundle.matchAll(/require\(["'](?:node:)?([\w/]+)["']\)/g)].map((m) => m[1]);
    for (const mod of ["http", "https", "http2", "dgram", "tls"]) assert.ok(!required.includes(mod), `requires ${mod}`);
    // Every process-spawning call (minified or not) names its command: git (the review) or npm/yarn
    // (vscode-languageserver's global module lookup, unused by this server), never python.
    const calls = [...bundle.matchAll(/\b(spawn|spawnSync|execFile|execFileSync|execSync|fork)\)?\(\s*([^,)]{0,80})/g)].map((m) => `${m[1]}(${m[2].trim()})`);
    assert.ok(calls.some((c) => c === 'execFile("git")'), `found the git call site among ${calls.join(", ")}`);
    for (const c of calls) assert.doesNotMatch(c, /python|\bpy\b|manage|django-admin|pytest/i, c);
    assert.doesNotMatch(bundle, /["'`](?:python[\d.]*|py|python\.exe)["'`]\s*,\s*\[/, "no argv array starting with a python executable");
  });

  it("package.json declares untrusted-workspace support honestly (supported: read-only analysis)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
    const u = pkg.capabilities?.untrustedWorkspaces;
    assert.equal(u?.supported, true);
    assert.match(u?.description ?? "", /never imports or runs project code/);
  });
});

describe("security: reads stay inside the workspace", () => {
  const climbing = ["../../etc/passwd", "../../../../../../etc/passwd", "/etc/passwd", "catalog/../../../etc/passwd", "..\\..\\etc\\passwd", "%2e%2e/%2e%2e/etc/passwd", "~/.ssh/id_rsa", "file:///etc/passwd"];

  it("Project.template never resolves a name outside the template folders", async () => {
    const root = copyExample();
    await initParser();
    const project = new Project([root], RULES);
    project.scan();
    assert.ok(project.template("catalog/book_list.html"), "a real template resolves");
    for (const name of climbing) {
      const t = project.template(name);
      assert.ok(t === null || t.file.startsWith(root + path.sep), `${name} -> ${t?.file}`);
    }
  });

  it("scanning and analyzing views that render climbing template names read no file outside the workspace", async () => {
    const root = copyExample();
    const file = path.join(root, "catalog", "views.py");
    const text = `${fs.readFileSync(file, "utf8")}\n\n${climbing.map((n, i) => `def evil${i}(request):\n    books = Book.objects.all()\n    return render(request, ${JSON.stringify(n)}, {"books": books})\n`).join("\n")}`;
    await initParser();
    const reads: string[] = [];
    const spied = ["readFileSync", "openSync", "readdirSync", "statSync", "existsSync", "lstatSync", "readlinkSync", "realpathSync"] as const;
    const saved = new Map<string, unknown>();
    // The real module object (the engine's `import * as fs` reads through getters into it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fsAny = require("fs") as Record<string, (...a: unknown[]) => unknown>;
    for (const name of spied) {
      const orig = fsAny[name];
      saved.set(name, orig);
      fsAny[name] = function (this: unknown, ...a: unknown[]) {
        if (typeof a[0] === "string") reads.push(`${name} ${path.resolve(a[0])}`);
        return orig.apply(this, a);
      };
    }
    let hints;
    try {
      const project = new Project([root], RULES);
      project.scan();
      hints = project.analyze(file, text);
    } finally {
      for (const [name, orig] of saved) fsAny[name] = orig as never;
    }
    assert.ok(reads.length > 10, `recorded ${reads.length} fs calls`);
    const outside = reads.filter((r) => !r.slice(r.indexOf(" ") + 1).startsWith(root + path.sep) && r.slice(r.indexOf(" ") + 1) !== root);
    assert.deepEqual(outside, []);
    for (const h of hints) assert.ok(h.file.startsWith(root + path.sep), h.file);
  });
});
