'use strict';
// What the end-to-end tests expect from the example project (example/, see its README and EXPECTED.tsv) and
// from the extension. Plain data with no `vscode` import, so the code-server UI runner (test/e2e/run.js) reads
// it too. Adjust it here when the example or the extension changes.
//
// A case names a file of the example and a `marker`: text found on the flagged line. The line is looked up in
// the document at test time, so edits of the example do not move it. The marker must occur on one line only,
// unless `occurrence` (0-based) picks one of several.

module.exports = {
  extensionId: 'django-orm-hints.django-orm-hints',
  diagnosticSource: 'django-orm-hints',
  settingsSection: 'djangoOrmHints',
  rulesSetting: 'rules', // djangoOrmHints.rules: { [ruleId]: "off" | "error" | "warning" | "information" | "hint" }

  // Each diagnostic's code is { value: ruleId, target: <doc URL> }; the URL must match this.
  docUrl: (ruleId) => new RegExp(`^https?://\\S*${ruleId}`),
  suppressionComment: (ruleId) => `# orm-hints: ignore[${ruleId}]`,
  ignoreActionTitle: (ruleId) => `Ignore ${ruleId} on this line`,

  // Activation time goal (the e2e runner reports it; set E2E_MAX_ACTIVATION_MS to make it fail the run).
  activationGoalMs: 150,

  // The example's machine-readable list of planted problems (path<TAB>1-based line<TAB>rule id). For the rules
  // listed here, every row of a file with one of these extensions must get its diagnostic, and no other line of
  // that file may get a diagnostic of these rules (the "fine" twins). Add rules here as they are implemented.
  expectedTsv: {
    path: 'EXPECTED.tsv',
    rules: [
      'n-plus-one', 'queryset-in-loop', 'missing-only', 'cache-page-candidate', 'missing-index', 'unpaginated-list',
      'serializer-method-query', 'queryset-len', 'queryset-truthiness', 'fk-id', 'save-in-loop', 'slow-call-in-view',
      'async-lazy-load',
    ],
    extensions: ['.py'],
  },

  cases: [
    {
      file: 'catalog/views.py',
      marker: 'lines.append(f"{book.title} by {book.author.name}")', // book_report: author not joined
      code: 'n-plus-one',
      severity: 'Warning', // key of vscode.DiagnosticSeverity, the rule's default; omit to skip the check
      fix: {
        title: /^Add select_related/, // the quick fix to apply (the UI test expects it first in the Ctrl+. menu)
        // The fix must add one more match of this to the file (counted before and after: the example already
        // has fixed twins).
        adds: /\bselect_related\(\s*["']author["']\s*\)/g,
        safe: true, // safe fixes are applied by source.fixAll; other cases must survive it
      },
    },
    {
      file: 'catalog/views.py',
      marker: 'for tag in book.tags.all():', // tag_index: tags not prefetched (the second occurrence is fine)
      occurrence: 0,
      code: 'n-plus-one',
      severity: 'Warning',
      fix: { title: /^Add prefetch_related/, adds: /\bprefetch_related\(\s*["']tags["']\s*\)/g, safe: true },
    },
    // No quick fix asserted for these; source.fixAll must leave them in place.
    { file: 'catalog/views.py', marker: 'stats.append((author.name, author.book_set.count()))', code: 'queryset-in-loop' },
    { file: 'catalog/views.py', marker: 'def category_index(request):', code: 'cache-page-candidate' },
  ],
};
