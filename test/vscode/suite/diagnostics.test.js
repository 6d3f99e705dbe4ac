'use strict';
const assert = require('assert');
const h = require('./helpers');
const { vscode, expectations } = h;

describe('diagnostics', () => {
  afterEach(() => h.restoreDocuments());

  for (const kase of expectations.cases) {
    it(`${kase.file}: ${kase.code} on ${JSON.stringify(kase.marker)} with its doc link and range`, async () => {
      const started = Date.now();
      const doc = await h.openExample(kase.file);
      const d = await h.waitForCaseDiagnostic(doc, kase);
      if (global.__ormHintsMetrics.firstDiagnosticsMs === undefined) {
        global.__ormHintsMetrics.firstDiagnosticsMs = Date.now() - started;
        console.log(`first diagnostics: ${Date.now() - started} ms after opening ${kase.file}`);
      }

      assert.strictEqual(d.source, expectations.diagnosticSource);
      assert.ok(d.code && typeof d.code === 'object', `code should be { value, target }, got ${JSON.stringify(d.code)}`);
      assert.strictEqual(String(d.code.value), kase.code);
      assert.ok(d.code.target instanceof vscode.Uri, 'code.target should be the rule doc URL');
      assert.match(d.code.target.toString(true), expectations.docUrl(kase.code));
      if (kase.severity) assert.strictEqual(vscode.DiagnosticSeverity[d.severity], kase.severity);
      assert.ok(d.message && d.message.trim(), 'message should not be empty');

      // The range starts on the flagged line and covers (part of) the marker.
      const line = doc.lineAt(d.range.start.line).text;
      const markerStart = line.indexOf(kase.marker);
      const markerEnd = markerStart + kase.marker.length;
      const endsOnLine = d.range.end.line === d.range.start.line;
      assert.ok(
        d.range.start.character < markerEnd && (!endsOnLine || d.range.end.character > markerStart),
        `range ${d.range.start.character}-${d.range.end.character} should overlap ${JSON.stringify(kase.marker)} at ${markerStart}-${markerEnd} in: ${line}`,
      );
    });
  }

  // The example's EXPECTED.tsv, for the rules listed in expectations.expectedTsv.
  let rows = [];
  try {
    rows = h.expectedRows();
  } catch (err) {
    it('reads EXPECTED.tsv', () => {
      throw err;
    });
  }
  for (const file of [...new Set(rows.map((r) => r.file))]) {
    const want = rows.filter((r) => r.file === file);
    it(`${file}: exactly the ${want.length} hint(s) of EXPECTED.tsv (${[...new Set(want.map((r) => r.code))].join(', ')})`, async () => {
      const doc = await h.openExample(file);
      const key = (line, code) => `${line + 1}:${code}`;
      const checked = new Set(expectations.expectedTsv.rules);
      const got = () => new Set(h.ourDiagnostics(doc.uri).filter((d) => checked.has(h.codeValue(d))).map((d) => key(d.range.start.line, h.codeValue(d))));
      const wanted = want.map((r) => key(r.line, r.code));
      await h.waitFor(
        () => wanted.every((k) => got().has(k)),
        `${file} to get ${wanted.join(' ')}`,
        undefined,
        () => `got ${[...got()].join(' ')}`,
      );
      // All of a file's diagnostics arrive in one publish, so any extra one is there by now.
      const extra = [...got()].filter((k) => !wanted.includes(k));
      assert.deepStrictEqual(extra, [], `unexpected hints in ${file} (line:rule); lines ${extra.map((k) => doc.lineAt(Number(k.split(':')[0]) - 1).text.trim()).join(' | ')}`);
    });
  }
});
