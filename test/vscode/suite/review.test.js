'use strict';
// "Django ORM Hints: Check changed files" fills the Problems panel for a file that differs from git HEAD and is
// not open in the editor.
const assert = require('assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const h = require('./helpers');
const { vscode } = h;

const REL = 'blog/forms.py';
const PLANT = `

def comment_authors():
    # planted by the e2e review test: one query per Comment to load post
    return [c.post.title for c in Comment.objects.all()]
`;

describe('review before commit', () => {
  let file;
  let original;

  before(() => {
    const r = h.workspaceRoot();
    const root = typeof r === 'string' ? r : r.fsPath;
    file = path.join(root, REL);
    original = fs.readFileSync(file, 'utf8');
    const git = (...args) => execFileSync('git', args, { cwd: root, stdio: 'pipe' });
    if (!fs.existsSync(path.join(root, '.git'))) {
      git('init', '-q');
      git('add', '-A');
      git('-c', 'user.email=e2e@example.invalid', '-c', 'user.name=e2e', 'commit', '-qm', 'example');
    }
  });

  after(async () => {
    fs.writeFileSync(file, original);
    await vscode.commands.executeCommand('djangoOrmHints.checkChangedFiles');
  });

  it('"Check changed files" reports a modified file that is not open', async () => {
    const uri = vscode.Uri.file(file);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.fsPath === file), `${REL} must not be open`);
    fs.writeFileSync(file, original + PLANT);
    await vscode.commands.executeCommand('djangoOrmHints.checkChangedFiles');
    const d = await h.waitFor(
      () => h.ourDiagnostics(uri, 'n-plus-one').find((x) => x.range.start.line === (original + PLANT).split('\n').findIndex((l) => l.includes('c.post.title'))),
      `an n-plus-one hint in the unopened, modified ${REL}`,
      undefined,
      h.describeDiagnostics(uri),
    );
    assert.match(d.message, /post/);
    assert.ok(!vscode.workspace.textDocuments.some((x) => x.uri.fsPath === file), `${REL} was not opened by the check`);
  });
});
