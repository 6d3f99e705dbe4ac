'use strict';
const assert = require('assert');
const h = require('./helpers');
const { vscode, expectations } = h;

describe('source.fixAll', () => {
  afterEach(() => h.restoreDocuments());

  const files = [...new Set(expectations.cases.map((c) => c.file))];
  for (const file of files) {
    const cases = expectations.cases.filter((c) => c.file === file);
    const safe = cases.filter((c) => c.fix && c.fix.safe);
    const unsafe = cases.filter((c) => !(c.fix && c.fix.safe));

    it(`${file}: applies the ${safe.length} safe fix(es) and leaves ${unsafe.length} other hint(s)`, async () => {
      const doc = await h.openExample(file);
      for (const kase of cases) await h.waitForCaseDiagnostic(doc, kase);
      const before = safe.map((k) => h.countMatches(doc.getText(), k.fix.adds));

      const actions = await h.codeActions(doc.uri, h.fullRange(doc), vscode.CodeActionKind.SourceFixAll.value);
      for (const a of actions) {
        assert.ok(a.kind && vscode.CodeActionKind.SourceFixAll.contains(a.kind), `"${a.title}" is not a source.fixAll action`);
      }
      if (safe.length) assert.ok(actions.length, 'expected a source.fixAll action');
      for (const a of actions) await h.applyAction(a);

      for (const [i, kase] of safe.entries()) {
        await h.waitFor(
          () => h.countMatches(doc.getText(), kase.fix.adds) > before[i],
          `source.fixAll to apply the ${kase.code} fix (${kase.fix.adds})`,
          undefined,
          () => doc.getText(),
        );
        await h.waitForCaseCleared(doc, kase);
      }
      // Fix-all fixes; it never suppresses.
      assert.ok(!doc.getText().includes('orm-hints: ignore'), 'source.fixAll must not insert suppression comments');
      // The safe ones cleared after the server re-analysed, so the unsafe ones are current: they must remain.
      for (const kase of unsafe) {
        assert.ok(h.caseDiagnostics(doc, kase).length, `${kase.code} on ${JSON.stringify(kase.marker)} has no safe fix and must remain`);
      }
    });
  }
});
