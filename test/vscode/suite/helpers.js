'use strict';
const assert = require('assert');
const path = require('path');
const vscode = require('vscode');
const expectations = require('./expectations');

const WAIT_MS = Number(process.env.ORM_HINTS_WAIT_MS) || 20000;
const POLL_MS = 50;

/** Polls `fn` every 50 ms until it returns a truthy value (returned) or `timeoutMs` passes (throws). */
async function waitFor(fn, what, timeoutMs = WAIT_MS, describeState) {
  const start = Date.now();
  let lastError;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - start > timeoutMs) {
      const state = describeState ? `\n  state: ${describeState()}` : '';
      const cause = lastError ? `\n  last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}${state}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function workspaceRoot() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(folder, 'VS Code was started without a workspace folder (expected a copy of example/)');
  return folder.uri;
}

function exampleUri(relPath) {
  return vscode.Uri.joinPath(workspaceRoot(), ...relPath.split('/'));
}

// Original text of every document a test opened, restored after each test.
const originals = new Map();

async function openExample(relPath) {
  const uri = exampleUri(relPath);
  const doc = await vscode.workspace.openTextDocument(uri);
  if (!originals.has(uri.toString())) originals.set(uri.toString(), doc.getText());
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

function fullRange(doc) {
  return new vscode.Range(new vscode.Position(0, 0), doc.lineAt(doc.lineCount - 1).range.end);
}

/** Puts back the text of every document opened through openExample and saves it, so disk matches too. */
async function restoreDocuments() {
  for (const [key, text] of originals) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (!doc) continue;
    if (doc.getText() !== text) {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, fullRange(doc), text);
      assert.ok(await vscode.workspace.applyEdit(edit), `could not restore ${doc.uri.fsPath}`);
    }
    if (doc.isDirty) await doc.save();
  }
}

// The example may ship its own .vscode/settings.json; tests put its value back rather than deleting it.
const initialRules = (() => {
  const inspected = vscode.workspace.getConfiguration(expectations.settingsSection).inspect(expectations.rulesSetting);
  return inspected ? inspected.workspaceValue : undefined;
})();

async function resetSettings() {
  const config = vscode.workspace.getConfiguration(expectations.settingsSection);
  const inspected = config.inspect(expectations.rulesSetting);
  if (JSON.stringify(inspected && inspected.workspaceValue) !== JSON.stringify(initialRules)) {
    await config.update(expectations.rulesSetting, initialRules, vscode.ConfigurationTarget.Workspace);
  }
}

function codeValue(d) {
  return d.code && typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}

function ourDiagnostics(uri, code) {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === expectations.diagnosticSource && (code === undefined || codeValue(d) === code));
}

/** 0-based line number of the case's marker (unique, or the `occurrence`-th). */
function markerLine(doc, kase) {
  const lines = [];
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(kase.marker)) lines.push(i);
  const where = `${JSON.stringify(kase.marker)} in ${kase.file}; update test/vscode/suite/expectations.js`;
  assert.ok(lines.length, `marker not found: ${where}`);
  if (kase.occurrence !== undefined) {
    assert.ok(kase.occurrence < lines.length, `occurrence ${kase.occurrence} of ${lines.length}: ${where}`);
    return lines[kase.occurrence];
  }
  assert.strictEqual(lines.length, 1, `marker found on lines ${lines.map((l) => l + 1).join(', ')} (make it unique or set occurrence): ${where}`);
  return lines[0];
}

/** The case's diagnostics: those with its code on one of its marker lines. */
function caseDiagnostics(doc, kase) {
  const line = markerLine(doc, kase);
  return ourDiagnostics(doc.uri, kase.code).filter((d) => d.range.start.line === line);
}

function describeDiagnostics(uri) {
  return () =>
    JSON.stringify(
      vscode.languages.getDiagnostics(uri).map((d) => ({
        line: d.range.start.line + 1,
        source: d.source,
        code: codeValue(d),
        severity: vscode.DiagnosticSeverity[d.severity],
        message: d.message,
      })),
    );
}

function waitForCaseDiagnostic(doc, kase, what = `a ${kase.code} diagnostic on the line with ${JSON.stringify(kase.marker)} in ${kase.file}`) {
  return waitFor(() => caseDiagnostics(doc, kase)[0], what, WAIT_MS, describeDiagnostics(doc.uri));
}

function waitForCaseCleared(doc, kase, what = `the ${kase.code} diagnostic on ${JSON.stringify(kase.marker)} in ${kase.file} to clear`) {
  return waitFor(() => caseDiagnostics(doc, kase).length === 0, what, WAIT_MS, describeDiagnostics(doc.uri));
}

/** Code actions as the editor gets them (resolving edits the server fills in lazily). */
async function codeActions(uri, range, kind) {
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind, 100);
  return actions || [];
}

/** Applies a code action the way the editor does: its edit first, then its command. */
async function applyAction(action) {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `applyEdit failed for "${action.title}"`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments || []));
  assert.ok(action.edit || action.command, `code action "${action.title}" has neither an edit nor a command`);
}

/** Rows of the example's EXPECTED.tsv for the rules and file types the tests check: [{ file, line (0-based), code }]. */
function expectedRows() {
  const spec = expectations.expectedTsv;
  if (!spec) return [];
  const fs = require('fs');
  const tsv = path.join(workspaceRoot().fsPath, spec.path);
  if (!fs.existsSync(tsv)) return [];
  return fs
    .readFileSync(tsv, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split('\t'))
    .map(([file, line, code]) => ({ file, line: Number(line) - 1, code }))
    .filter((r) => spec.rules.includes(r.code) && spec.extensions.includes(path.extname(r.file)));
}

function countMatches(text, regex) {
  const re = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : regex.flags + 'g');
  return (text.match(re) || []).length;
}

module.exports = {
  vscode,
  expectations,
  waitFor,
  workspaceRoot,
  exampleUri,
  openExample,
  restoreDocuments,
  resetSettings,
  ourDiagnostics,
  markerLine,
  expectedRows,
  caseDiagnostics,
  codeValue,
  describeDiagnostics,
  waitForCaseDiagnostic,
  waitForCaseCleared,
  codeActions,
  applyAction,
  countMatches,
  fullRange,
  path,
};
