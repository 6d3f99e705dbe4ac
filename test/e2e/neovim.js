'use strict';
// Neovim as a third-party LSP client: `django-orm-hints lsp --stdio` started by Neovim's built-in client on the
// example project must publish the same hints (line, column, rule) that `django-orm-hints check` prints.
// Needs Debian's neovim (installed by scripts/e2e/setup.sh). Run: node test/e2e/neovim.js
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..', '..');
const bin = path.join(repo, 'bin', 'django-orm-hints.js');

function main() {
  const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  if (nvim.status !== 0) throw new Error('nvim is not installed (scripts/e2e/setup.sh installs Debian\'s neovim)');
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'nvim-ws-'));
  fs.cpSync(path.join(repo, 'example'), ws, { recursive: true });
  const files = ['catalog/views.py', 'orders/views.py'];
  let failures = 0;
  for (const rel of files) {
    const file = path.join(ws, rel);
    const out = path.join(ws, `.nvim-${path.basename(rel)}.json`);
    const started = Date.now();
    const r = spawnSync('nvim', ['--headless', '--clean', '-u', 'NONE', '-c', `luafile ${path.join(__dirname, 'neovim.lua')}`, file], {
      env: { ...process.env, NVIM_LSP_OUT: out, NVIM_LSP_ROOT: ws, NVIM_LSP_CMD: JSON.stringify([process.execPath, bin, 'lsp', '--stdio']), HOME: ws },
      encoding: 'utf8', timeout: 60000,
    });
    if (r.status !== 0 || !fs.existsSync(out)) {
      console.log(`[neovim] FAIL ${rel}: nvim exited ${r.status}${r.error ? ` (${r.error.message})` : ''}\n${r.stderr}`);
      failures++;
      continue;
    }
    const got = JSON.parse(fs.readFileSync(out, 'utf8')).map((d) => `${d.line}:${d.col}:${d.code}`).sort();
    let cli;
    try {
      cli = execFileSync(process.execPath, [bin, 'check', '--format', 'json', '--root', ws, file], { encoding: 'utf8' });
    } catch (e) {
      cli = e.stdout;
    }
    const want = JSON.parse(cli).filter((h) => h.file === file).map((h) => `${h.range.start.line}:${h.range.start.character}:${h.code}`).sort();
    const same = JSON.stringify(got) === JSON.stringify(want);
    console.log(`[neovim] ${same ? 'PASS' : 'FAIL'} ${rel}: Neovim received ${got.length} diagnostics, the CLI prints ${want.length} (${Date.now() - started} ms)`);
    if (!same) {
      console.log(`  neovim: ${got.join(' ')}\n  cli:    ${want.join(' ')}`);
      failures++;
    }
  }
  fs.rmSync(ws, { recursive: true, force: true });
  if (failures) process.exit(1);
}

main();
