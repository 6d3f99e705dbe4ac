#!/usr/bin/env node
'use strict';
// Runs the extension-host suite (test/vscode/suite) in desktop VS Code downloaded by @vscode/test-electron.
// Needs a machine that can reach update.code.visualstudio.com (on machines that reach only npm and Debian,
// use test/e2e/run.js, which runs the same suite in code-server). Build the extension first (dist/).
// On Linux without a display, run it under xvfb-run -a.
//
// Environment: VSCODE_VERSION (default "stable"), E2E_EXAMPLE (default <repo>/example), ORM_HINTS_GREP.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runTests } = require('@vscode/test-electron');

const REPO = path.resolve(__dirname, '../..');

async function main() {
  const example = path.resolve(process.env.E2E_EXAMPLE || path.join(REPO, 'example'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'orm-hints-vscode-'));
  const workspace = path.join(scratch, 'workspace');
  fs.cpSync(example, workspace, { recursive: true, filter: (src) => !/(^|[\\/])(__pycache__|\.venv|\.git)$/.test(src) });
  const results = path.join(scratch, 'results.json');
  let exitCode = 1;
  try {
    await runTests({
      version: process.env.VSCODE_VERSION || 'stable',
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      extensionTestsEnv: { ORM_HINTS_E2E_RESULTS: results, ORM_HINTS_GREP: process.env.ORM_HINTS_GREP || '' },
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir', path.join(scratch, 'user-data'),
      ],
    });
    exitCode = 0;
  } catch (err) {
    console.error(`extension-host suite failed: ${err && err.message ? err.message : err}`);
  }
  try {
    const res = JSON.parse(fs.readFileSync(results, 'utf8'));
    console.log(`suite: ${res.passed} passed, ${res.failed} failed; activation: ${res.metrics.activationMs} ms`);
  } catch {}
  if (exitCode === 0) fs.rmSync(scratch, { recursive: true, force: true });
  else console.error(`kept ${scratch}`);
  process.exit(exitCode);
}

main();
