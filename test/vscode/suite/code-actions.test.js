'use strict';
const assert = require('assert');
const h = require('./helpers');
const { vscode, expectations } = h;

describe('code actions', () => {
  afterEach(() => h.restoreDocuments());

  for (const kase of expectations.cases.filter((c) => c.fix)) {
    it(`${kase.file}: quick fix ${kase.fix.title} changes the text and clears ${kase.code}`, async () => {
      const doc = await h.openExample(kase.file);
      const d = await h.waitForCaseDiagnostic(doc, kase);
      const actions = await h.codeActions(doc.uri, d.range);
      const fix = actions.find((a) => kase.fix.title.test(a.title));
      assert.ok(fix, `no quick fix matching ${kase.fix.title}; got: ${JSON.stringify(actions.map((a) => a.title))}`);
      assert.ok(fix.kind && vscode.CodeActionKind.QuickFix.contains(fix.kind), `"${fix.title}" should be a quickfix`);

      const before = h.countMatches(doc.getText(), kase.fix.adds);
      await h.applyAction(fix);
      await h.waitFor(
        () => h.countMatches(doc.getText(), kase.fix.adds) === before + 1,
        `"${fix.title}" to add one ${kase.fix.adds}`,
        undefined,
        () => doc.getText(),
      );
      await h.waitForCaseCleared(doc, kase);
    });
  }

  const ignoreCase = expectations.cases[0];
  it(`${ignoreCase.file}: "${expectations.ignoreActionTitle(ignoreCase.code)}" inserts the suppression comment`, async () => {
    const kase = ignoreCase;
    const doc = await h.openExample(kase.file);
    const d = await h.waitForCaseDiagnostic(doc, kase);
    const flaggedText = doc.lineAt(d.range.start.line).text;
    const title = expectations.ignoreActionTitle(kase.code);
    const actions = await h.codeActions(doc.uri, d.range);
    const ignore = actions.find((a) => a.title === title);
    assert.ok(ignore, `no "${title}" action; got: ${JSON.stringify(actions.map((a) => a.title))}`);

    await h.applyAction(ignore);
    const comment = expectations.suppressionComment(kase.code);
    const line = await h.waitFor(
      () => {
        for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(comment)) return doc.lineAt(i).text;
        return undefined;
      },
      `${JSON.stringify(comment)} in ${kase.file}`,
      undefined,
      () => doc.getText(),
    );
    assert.ok(line.startsWith(flaggedText.trimEnd()), `the comment should go on the flagged line itself, got: ${line}`);
    await h.waitForCaseCleared(doc, kase);
  });
});
