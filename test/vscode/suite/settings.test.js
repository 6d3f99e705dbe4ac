'use strict';
const assert = require('assert');
const h = require('./helpers');
const { vscode, expectations } = h;

describe('settings', () => {
  const kase = expectations.cases[0];
  const setRules = (rules) =>
    vscode.workspace
      .getConfiguration(expectations.settingsSection)
      .update(expectations.rulesSetting, rules, vscode.ConfigurationTarget.Workspace);

  afterEach(async () => {
    await h.resetSettings();
    await h.restoreDocuments();
  });

  it(`turning ${kase.code} off removes its hints without a reload, and turning it back on restores them`, async () => {
    const doc = await h.openExample(kase.file);
    await h.waitForCaseDiagnostic(doc, kase);
    await setRules({ [kase.code]: 'off' });
    await h.waitFor(() => h.ourDiagnostics(doc.uri, kase.code).length === 0, `all ${kase.code} hints to go`, undefined, h.describeDiagnostics(doc.uri));
    await h.resetSettings();
    await h.waitForCaseDiagnostic(doc, kase, `${kase.code} to come back after the setting is removed`);
  });

  for (const [setting, severity] of [['error', 'Error'], ['information', 'Information'], ['hint', 'Hint']]) {
    it(`setting ${kase.code} to "${setting}" changes its severity without a reload`, async () => {
      const doc = await h.openExample(kase.file);
      await h.waitForCaseDiagnostic(doc, kase);
      await setRules({ [kase.code]: setting });
      const d = await h.waitFor(
        () => h.caseDiagnostics(doc, kase).find((x) => x.severity === vscode.DiagnosticSeverity[severity]),
        `${kase.code} with severity ${severity}`,
        undefined,
        h.describeDiagnostics(doc.uri),
      );
      assert.strictEqual(h.codeValue(d), kase.code);
    });
  }
});
