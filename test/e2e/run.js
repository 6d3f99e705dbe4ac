#!/usr/bin/env node
'use strict';
// End-to-end tests in a real VS Code (code-server from npm, driven by Debian's Chromium via playwright-core).
//   1. setup      scripts/e2e/setup.sh (cached in .vscode-test/)
//   2. suite      the extension-host mocha suite (test/vscode/suite) against the dev folder, via the payload URL
//   3. ui         the packaged .vsix installed into code-server, driven through the UI (test/e2e/ui.js)
// Prints a summary (with the activation time) and exits non-zero on any failure.
//
// Environment:
//   VSIX=path                 the .vsix for the UI test (default <repo>/django-orm-hints.vsix, from `npm run package`)
//   E2E_EXAMPLE=dir           the example project (default <repo>/example); tests run on a temporary copy
//   E2E_EXTENSION_PATH=dir    extensionDevelopmentPath for the suite (default the repo root)
//   E2E_ONLY=suite|ui         run one phase only
//   E2E_TIMEOUT_MS            hard limit for the whole run (default 600000)
//   E2E_SUITE_TIMEOUT_MS      limit for the extension-host suite (default 300000)
//   E2E_MAX_ACTIVATION_MS     fail when activation is slower than this (default: only reported)
//   E2E_KEEP=1                keep the scratch folder (always kept on failure)
//   E2E_VERBOSE=1             echo browser console and code-server output paths
//   E2E_SKIP_SETUP=1          do not run scripts/e2e/setup.sh
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const util = require('util');
const lib = require('./lib');
const { REPO, log, seconds } = lib;
const expectations = require('../vscode/suite/expectations');

const EXAMPLE = path.resolve(process.env.E2E_EXAMPLE || path.join(REPO, 'example'));
const EXT_DEV = path.resolve(process.env.E2E_EXTENSION_PATH || REPO);
const SUITE = path.join(REPO, 'test', 'vscode', 'suite', 'index.js');
const VSIX = path.resolve(process.env.VSIX || path.join(REPO, 'django-orm-hints.vsix'));
const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS || path.join(REPO, 'test-artifacts'));
const TOTAL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS) || 600000;
const SUITE_TIMEOUT_MS = Number(process.env.E2E_SUITE_TIMEOUT_MS) || 300000;
const PHASES = (process.env.E2E_ONLY || 'suite,ui').split(',').map((s) => s.trim());

// Workbench log lines that come through codeAutomationLog along with the suite's output (offline gallery, etc.).
const NOISE = /ENOTFOUND|open-vsx|vsda|connection token|Creating a socket|reconnection-grace|Service Worker|AgentHost|AccountPolicyGate|builtin extensions cache|Extension host .* started|\[perf\]/;

const summary = [];
let failed = false;
let scratch;

function record(name, ok, detail) {
  summary.push({ name, ok, detail });
  if (!ok) failed = true;
  log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
}

function setup() {
  if (process.env.E2E_SKIP_SETUP) return;
  const started = Date.now();
  const res = spawnSync('bash', [path.join(REPO, 'scripts', 'e2e', 'setup.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.status !== 0) throw new Error(`scripts/e2e/setup.sh failed (exit ${res.status})`);
  summary.push({ name: 'setup', ok: true, detail: seconds(Date.now() - started) });
}

function workspaceCopy(name) {
  const dir = path.join(scratch, name);
  lib.copyDir(EXAMPLE, dir);
  return dir;
}

async function runSuite() {
  const started = Date.now();
  const main = require(path.join(EXT_DEV, 'package.json')).main;
  if (main && !fs.existsSync(path.join(EXT_DEV, main))) {
    throw new Error(`${path.join(EXT_DEV, main)} is missing: build the extension first (npm run build)`);
  }
  const dir = path.join(scratch, 'suite');
  const ws = workspaceCopy('suite-ws');
  const results = path.join(dir, 'results.json');
  const env = lib.isolatedEnv(path.join(dir, 'env'), { ORM_HINTS_E2E_RESULTS: results });
  const logFile = path.join(dir, 'code-server.log');
  fs.mkdirSync(dir, { recursive: true });

  const server = await lib.startCodeServer({
    folder: ws,
    userDataDir: path.join(dir, 'user-data'),
    extensionsDir: path.join(dir, 'extensions'),
    env,
    logFile,
  });
  let browser;
  const lines = [];
  try {
    log(`suite: code-server up on ${server.base} in ${server.startMs} ms; running ${path.relative(REPO, SUITE)} against ${EXT_DEV}`);
    browser = await lib.launchBrowser(path.join(dir, 'chromium-profile'));
    const { page } = browser;
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(EXT_DEV)],
      ['extensionTestsPath', remote(SUITE)],
      ['extensionEnvironment', JSON.stringify({ ORM_HINTS_E2E_RESULTS: results })],
    ];
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
    const suiteLog = fs.createWriteStream(path.join(dir, 'automation.log'));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = Array.isArray(args) ? util.format(...args) : util.format(args);
      suiteLog.write(`[${type}] ${text}\n`);
      if (NOISE.test(text) && !lib.VERBOSE) return; // the workbench's own chatter; kept in automation.log
      for (const line of text.split('\n')) {
        lines.push(line);
        console.log(`  | ${line}`);
      }
    });
    const browserLog = fs.createWriteStream(path.join(dir, 'browser-console.log'));
    page.on('console', (m) => browserLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => browserLog.write(`[pageerror] ${e.stack || e}\n`));

    const folderParam = encodeURIComponent(ws).replace(/%2F/g, '/');
    await page.goto(`${server.base}/?folder=${folderParam}&payload=${encodeURIComponent(JSON.stringify(payload))}`);

    let timer;
    const outcome = await Promise.race([
      exited.then((code) => ({ code })),
      server.child.exitPromise.then(() => ({ error: 'code-server exited during the suite' })),
      new Promise((r) => (timer = setTimeout(() => r({ error: `no result within ${seconds(SUITE_TIMEOUT_MS)}` }), SUITE_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    browserLog.end();
    suiteLog.end();

    let res;
    try {
      res = JSON.parse(fs.readFileSync(results, 'utf8'));
    } catch {}
    const counts = res ? `${res.passed} passed, ${res.failed} failed` : 'no results file';
    const activation = (lines.join('\n').match(/activation: (\d+(?:\.\d+)?) ms/) || [])[1];
    const activationMs = res && res.metrics.activationMs !== undefined ? res.metrics.activationMs : activation && Number(activation);
    if (outcome.error) record('extension-host suite', false, `${outcome.error} (${counts}); logs in ${dir}`);
    else record('extension-host suite', outcome.code === 0, `exit code ${outcome.code}, ${counts}, ${seconds(Date.now() - started)}`);
    if (res) for (const t of res.tests.filter((t) => t.state === 'failed')) log(`  failed: ${t.title}\n${t.error}`);

    const goal = expectations.activationGoalMs;
    const max = Number(process.env.E2E_MAX_ACTIVATION_MS) || undefined;
    if (activationMs === undefined || activationMs === null || Number.isNaN(activationMs)) {
      record('activation time', false, 'not reported (activate() should return { activationMs })');
    } else {
      const detail = `${Math.round(activationMs)} ms (goal <= ${goal} ms${activationMs > goal ? ', OVER GOAL' : ''})`;
      record('activation time', !(max && activationMs > max), detail);
    }
    if (res && res.metrics.firstDiagnosticsMs !== undefined) {
      summary.push({ name: 'first diagnostics', ok: true, detail: `${res.metrics.firstDiagnosticsMs} ms after opening the file` });
    }
  } finally {
    if (browser) await browser.context.close().catch(() => {});
    await lib.stop(server.child);
  }
}

async function runUi() {
  if (!fs.existsSync(VSIX)) {
    throw new Error(`no .vsix at ${VSIX}: run \`npm run package\` first, or set VSIX=/path/to/file.vsix`);
  }
  const { runUiTest } = require('./ui');
  const result = await runUiTest({
    vsix: VSIX,
    workspace: workspaceCopy('ui-ws'),
    dir: path.join(scratch, 'ui'),
    artifacts: ARTIFACTS,
    kase: expectations.cases.find((c) => c.fix) || expectations.cases[0],
  });
  record('UI test on the .vsix', true, result.detail);
  if (result.activationMs !== undefined) summary.push({ name: 'activation (installed .vsix)', ok: true, detail: `${result.activationMs} ms (from the output channel log)` });
}

function printSummary() {
  console.log('\n==== Django ORM Hints e2e summary ====');
  for (const s of summary) console.log(`${s.ok ? 'ok  ' : 'FAIL'}  ${s.name.padEnd(30)} ${s.detail}`);
  console.log(failed ? 'RESULT: FAILED' : 'RESULT: PASSED');
}

async function main() {
  const hardTimer = setTimeout(() => {
    log(`hard timeout: the whole run took more than ${seconds(TOTAL_TIMEOUT_MS)}`);
    lib.stopAllSync();
    summary.push({ name: 'run', ok: false, detail: 'hard timeout' });
    failed = true;
    printSummary();
    process.exit(1);
  }, TOTAL_TIMEOUT_MS);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      lib.stopAllSync();
      process.exit(130);
    });
  }
  process.on('exit', () => lib.stopAllSync());

  try {
    setup();
    if (!fs.existsSync(EXAMPLE)) throw new Error(`no example project at ${EXAMPLE} (set E2E_EXAMPLE)`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    scratch = lib.mkScratch('orm-hints-e2e-');
    log(`scratch folder ${scratch}`);
    for (const [phase, fn] of [['suite', runSuite], ['ui', runUi]]) {
      if (!PHASES.includes(phase)) continue;
      try {
        await fn();
      } catch (err) {
        record(phase === 'suite' ? 'extension-host suite' : 'UI test on the .vsix', false, err.message);
        if (lib.VERBOSE) console.error(err.stack);
      }
    }
  } catch (err) {
    record('run', false, err.message);
  } finally {
    clearTimeout(hardTimer);
    lib.stopAllSync();
    if (scratch) {
      if (failed || process.env.E2E_KEEP) log(`kept scratch folder (code-server logs, results): ${scratch}`);
      else fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  printSummary();
  process.exitCode = failed ? 1 : 0;
}

main();
