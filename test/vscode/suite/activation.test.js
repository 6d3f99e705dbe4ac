'use strict';
const assert = require('assert');
const { vscode, expectations, waitFor } = require('./helpers');

describe('activation', () => {
  it('activates on its own in the Django workspace and reports its activation time', async () => {
    const ext = vscode.extensions.getExtension(expectations.extensionId);
    assert.ok(ext, `extension ${expectations.extensionId} is not installed in this VS Code`);
    // No explicit activate(): the workspace contains manage.py, which must be enough.
    await waitFor(() => ext.isActive, `${expectations.extensionId} to activate (activationEvents: workspaceContains:**/manage.py)`);
    const ms = ext.exports && typeof ext.exports.activationMs === 'number' ? ext.exports.activationMs : undefined;
    global.__ormHintsMetrics.activationMs = ms;
    // Parsed by test/e2e/run.js; keep the format.
    console.log(ms === undefined ? 'activation: unknown ms (activate() returned no activationMs)' : `activation: ${Math.round(ms)} ms`);
    assert.ok(ms !== undefined, 'activate() should return { activationMs }');
  });
});
