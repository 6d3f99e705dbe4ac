'use strict';
// Entry point of the extension-host integration suite (the `extensionTestsPath`). VS Code loads this file
// inside its extension host and calls run(); a rejected promise means failure (exit code 1).
// Used by test/vscode/run-electron.js (desktop VS Code) and test/e2e/run.js (code-server in a browser).
//
// Environment (optional): ORM_HINTS_E2E_RESULTS  file to write a JSON summary to
//                         ORM_HINTS_GREP         only run tests whose title matches
//                         ORM_HINTS_TEST_TIMEOUT_MS, ORM_HINTS_WAIT_MS  per-test and per-wait timeouts
const fs = require('fs');
const path = require('path');

async function loadMocha() {
  // mocha 12 is an ES module; Node >= 20.19 / 22.12 can require() it, older hosts need import().
  try {
    const mod = require('mocha');
    return mod.default || mod;
  } catch (err) {
    const mod = await import('mocha');
    return mod.default || mod;
  }
}

// Activation first: it checks that the extension starts on its own, before any test opens a file.
const ORDER = ['activation', 'diagnostics', 'code-actions', 'fix-all', 'settings'];

function testFiles() {
  const rank = (f) => {
    const i = ORDER.indexOf(f.replace(/\.test\.js$/, ''));
    return i < 0 ? ORDER.length : i;
  };
  return fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((f) => path.join(__dirname, f));
}

async function run() {
  const Mocha = await loadMocha();
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.ORM_HINTS_TEST_TIMEOUT_MS) || 60000,
    grep: process.env.ORM_HINTS_GREP || undefined,
  });
  for (const file of testFiles()) mocha.addFile(file);

  const started = Date.now();
  const results = { passed: 0, failed: 0, pending: 0, tests: [], metrics: {} };
  global.__ormHintsMetrics = results.metrics; // tests record timings here (activationMs, firstDiagnosticsMs)

  const failures = await new Promise((resolve, reject) => {
    try {
      const runner = mocha.run(resolve);
      runner.on('pass', (t) => {
        results.passed++;
        results.tests.push({ title: t.fullTitle(), state: 'passed', ms: t.duration });
      });
      runner.on('fail', (t, err) => {
        results.failed++;
        results.tests.push({ title: t.fullTitle(), state: 'failed', error: String((err && err.stack) || err) });
      });
      runner.on('pending', (t) => {
        results.pending++;
        results.tests.push({ title: t.fullTitle(), state: 'pending' });
      });
    } catch (err) {
      reject(err);
    }
  });
  results.durationMs = Date.now() - started;

  if (process.env.ORM_HINTS_E2E_RESULTS) {
    fs.writeFileSync(process.env.ORM_HINTS_E2E_RESULTS, JSON.stringify(results, null, 2));
  }
  console.log(`suite: ${results.passed} passed, ${results.failed} failed, ${results.pending} pending in ${results.durationMs} ms`);
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}

module.exports = { run };
