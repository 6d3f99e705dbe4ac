'use strict';
// UI test of the packaged extension: install the .vsix into code-server, open the example's flagged file in
// headless Chromium, see the squiggle and the Problems row, apply the quick fix with Ctrl+. Enter, save, and
// check the file on disk and the editor. Screenshots go to test-artifacts/.
const fs = require('fs');
const path = require('path');
const lib = require('./lib');

const STEP_MS = Number(process.env.E2E_UI_STEP_MS) || 30000;
const SQUIGGLE = { Error: 'squiggly-error', Warning: 'squiggly-warning', Information: 'squiggly-info', Hint: 'squiggly-hint' };

function countMatches(text, regex) {
  const re = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : regex.flags + 'g');
  return (text.match(re) || []).length;
}

async function step(name, fn) {
  const started = Date.now();
  try {
    const value = await fn();
    lib.log(`ui: ${name} (${Date.now() - started} ms)`);
    return value;
  } catch (err) {
    err.message = `${name}: ${err.message}`;
    throw err;
  }
}

/** Squiggles of `cls` drawn on a 1-based line of the active editor (matched via the line-number gutter). */
function squigglesOnLine(page, cls, line) {
  return page.evaluate(
    ({ cls, line }) => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor') || document.querySelector('.monaco-editor');
      if (!editor) return -1;
      const gutter = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].find((el) => el.textContent.trim() === String(line));
      if (!gutter) return -1; // line not rendered
      const top = gutter.closest('.margin-view-overlays > div').style.top;
      return [...editor.querySelectorAll(`.view-overlays > div`)].filter((row) => row.style.top === top && row.querySelector(`.${cls}`)).length;
    },
    { cls, line },
  );
}

/** Bounding box of the first squiggle of `cls` on a 1-based line of the active editor. */
function squiggleBox(page, cls, line) {
  return page.evaluate(
    ({ cls, line }) => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor');
      const gutter = editor && [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].find((el) => el.textContent.trim() === String(line));
      if (!gutter) return null;
      const top = gutter.closest('.margin-view-overlays > div').style.top;
      const row = [...editor.querySelectorAll('.view-overlays > div')].find((r) => r.style.top === top && r.querySelector(`.${cls}`));
      if (!row) return null;
      const { x, y, width, height } = row.querySelector(`.${cls}`).getBoundingClientRect();
      return { x, y, width, height };
    },
    { cls, line },
  );
}

/** 1-based line of the case's marker in the file on disk (unique, or the `occurrence`-th), as the suite does. */
function markerLine(filePath, kase) {
  const lines = fs.readFileSync(filePath, 'utf8').split(/\r?\n/);
  const hits = lines.map((l, i) => (l.includes(kase.marker) ? i + 1 : 0)).filter(Boolean);
  const line = kase.occurrence !== undefined ? hits[kase.occurrence] : hits.length === 1 ? hits[0] : undefined;
  if (!line) throw new Error(`marker ${JSON.stringify(kase.marker)} found on lines [${hits}] of ${kase.file}; fix test/vscode/suite/expectations.js`);
  return line;
}

function findActivationMs(userDataDir) {
  const logs = path.join(userDataDir, 'logs');
  const stack = fs.existsSync(logs) ? [logs] : [];
  while (stack.length) {
    const dir = stack.pop();
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.log')) {
        const m = fs.readFileSync(p, 'utf8').match(/activated in (\d+(?:\.\d+)?) ?ms/);
        if (m) return Number(m[1]);
      }
    }
  }
  return undefined;
}

async function runUiTest({ vsix, workspace, dir, artifacts, kase }) {
  const started = Date.now();
  fs.mkdirSync(dir, { recursive: true });
  const env = lib.isolatedEnv(path.join(dir, 'env'));
  const logFile = path.join(dir, 'code-server.log');
  const userDataDir = path.join(dir, 'user-data');
  const extensionsDir = path.join(dir, 'extensions');
  const filePath = path.join(workspace, ...kase.file.split('/'));
  const squiggle = SQUIGGLE[kase.severity] || 'squiggly-warning';
  const shotBefore = path.join(artifacts, 'e2e-ui.png');
  const shotAfter = path.join(artifacts, 'e2e-ui-after.png');
  for (const f of ['e2e-ui.png', 'e2e-ui-after.png', 'e2e-ui-failure.png']) fs.rmSync(path.join(artifacts, f), { force: true });

  await step(`install ${path.basename(vsix)}`, () => lib.installExtension(vsix, { userDataDir, extensionsDir, env, logFile }));
  const server = await lib.startCodeServer({ folder: workspace, userDataDir, extensionsDir, env, logFile });
  let browser;
  try {
    const browserLog = fs.createWriteStream(path.join(dir, 'browser-console.log'));
    // Headless Chromium sometimes dies while the workbench loads ("Target page, context or browser has been
    // closed"), before any of the extension's code is involved: start it again, once, with a fresh profile.
    for (let attempt = 1; ; attempt++) {
      browser = await lib.launchBrowser(path.join(dir, attempt === 1 ? 'chromium-profile' : `chromium-profile-${attempt}`));
      browser.page.setDefaultTimeout(STEP_MS);
      browser.page.on('console', (m) => browserLog.write(`[${m.type()}] ${m.text()}\n`));
      const page = browser.page;
      try {
        await step('open the workbench', async () => {
          await page.goto(`${server.base}/?folder=${encodeURIComponent(workspace).replace(/%2F/g, '/')}`);
          await page.locator('.monaco-workbench .part.editor').waitFor();
          await page.locator('.monaco-workbench .part.statusbar').waitFor();
        });
        break;
      } catch (err) {
        if (attempt >= 2 || !/has been closed|crashed/i.test(String(err && err.message))) {
          await page.screenshot({ path: path.join(artifacts, 'e2e-ui-failure.png') }).catch(() => {});
          throw err;
        }
        lib.log(`ui: the browser closed while the workbench loaded (${err.message}); starting it again`);
        await browser.context.close().catch(() => {});
      }
    }
    const { page } = browser;

    try {
      await step(`Ctrl+P ${kase.file}`, async () => {
        const input = page.locator('.quick-input-widget input');
        // The first keystrokes can land before the workbench takes keyboard focus: retry until quick open shows.
        for (let i = 0; !(await input.isVisible()); i++) {
          if (i > 50) throw new Error('quick open did not appear');
          await page.keyboard.press('Control+P');
          await input.waitFor({ timeout: 500 }).catch(() => {});
        }
        await input.fill(kase.file);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(kase.file) }).first().waitFor();
        await page.keyboard.press('Enter');
        await page.locator('.tab.active', { hasText: path.basename(kase.file) }).waitFor();
      });

      const squiggles = page.locator(`.editor-group-container.active .monaco-editor .view-overlays .${squiggle}`);
      await step(`wait for .${squiggle}`, () => squiggles.first().waitFor());

      const line = markerLine(filePath, kase);
      const row = await step(`Problems panel row with ${kase.code} at Ln ${line}`, async () => {
        const rowLocator = page
          .locator('.markers-panel .monaco-list-row', { hasText: kase.code })
          .filter({ hasText: `[Ln ${line},` })
          .first();
        // A lost Control+Shift+M leaves the panel closed: press it again until the panel shows.
        for (let i = 0; !(await page.locator('.markers-panel').first().isVisible()); i++) {
          if (i > 20) throw new Error('the Problems panel did not open');
          await page.keyboard.press('Control+Shift+M');
          await page.locator('.markers-panel').first().waitFor({ timeout: 1000 }).catch(() => {});
        }
        await rowLocator.waitFor();
        return (await rowLocator.innerText()).replace(/\s+/g, ' ').trim();
      });
      lib.log(`ui: Problems row: ${row}`);
      const col = Number((row.match(/\[Ln \d+, Col (\d+)\]/) || [])[1] || 1);

      await step(`squiggle on line ${line}`, async () => {
        for (let t = Date.now(); (await squigglesOnLine(page, squiggle, line)) < 1; ) {
          if (Date.now() - t > STEP_MS) throw new Error(`no .${squiggle} on line ${line}`);
          await page.waitForTimeout(50);
        }
      });

      await step('hover the squiggle and take the "before" screenshot', async () => {
        const box = await squiggleBox(page, squiggle, line);
        if (box) {
          await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
          await page.locator('.monaco-hover', { hasText: kase.code }).first().waitFor({ timeout: 5000 }).catch(() => {
            lib.log('ui: (the hover did not show; screenshot without it)');
          });
        }
        await page.screenshot({ path: shotBefore });
      });

      const before = countMatches(fs.readFileSync(filePath, 'utf8'), kase.fix.adds);
      // Each keystroke below can land while the workbench moves focus (the hover closing, the Problems panel
      // giving it back), so every one is retried until its effect shows, and each is its own step in the log.
      await step(`cursor to Ln ${line}, Col ${col}`, async () => {
        await page.mouse.move(0, 0);
        await page.keyboard.press('Escape');
        const input = page.locator('.quick-input-widget input');
        const cursor = page.locator('[id="status.editor.selection"]');
        const want = new RegExp(`Ln ${line}, Col ${col}\\b`);
        for (let i = 0; ; i++) {
          if (i > 20) throw new Error(`the cursor is at ${JSON.stringify(await cursor.innerText().catch(() => '?'))}`);
          await page.keyboard.press('Control+1'); // focus the editor (the Problems panel had focus)
          await page.keyboard.press('Control+G');
          if (!(await input.waitFor({ timeout: 1000 }).then(() => true, () => false))) continue;
          await input.fill(`:${line}:${col}`);
          await page.keyboard.press('Enter');
          await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 2000 }).catch(() => page.keyboard.press('Escape'));
          const at = await cursor.innerText({ timeout: 1000 }).catch(() => '');
          if (want.test(at)) break;
        }
      });

      const menu = page.locator('.action-widget:not(.action-list-submenu-panel)');
      await step('Ctrl+. opens the quick fix menu', async () => {
        for (let i = 0; ; i++) {
          if (i > 10) throw new Error('no quick fix menu after 10 tries');
          await page.keyboard.press('Control+.');
          if (await menu.locator('.monaco-list-row.action').first().waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
          const message = await page.locator('.monaco-editor-overlaymessage').first().innerText({ timeout: 200 }).catch(() => '');
          const focus = await page.evaluate(() => {
            const el = document.activeElement;
            return el ? `${el.tagName}.${String(el.className).split(' ').slice(0, 3).join('.')}` : 'none';
          });
          lib.log(`ui: (Ctrl+. showed no menu: message ${JSON.stringify(message.trim())}, focus ${focus}; again)`);
          await page.keyboard.press('Escape');
          await page.keyboard.press('Control+1');
        }
      });

      await step('Enter applies the first quick fix', async () => {
        const titles = await menu.locator('.monaco-list-row.action').allInnerTexts();
        const focused = (await menu.locator('.monaco-list-row.action.focused').innerText().catch(() => '')).trim();
        lib.log(`ui: quick fix menu: ${JSON.stringify(titles.map((t) => t.trim()))}; focused: ${JSON.stringify(focused)}`);
        if (!kase.fix.title.test(focused)) throw new Error(`the first quick fix is ${JSON.stringify(focused)}, expected ${kase.fix.title}`);
        await page.keyboard.press('Enter');
        await menu.waitFor({ state: 'hidden' });
      });

      await step('Ctrl+S and check the file on disk', async () => {
        for (let t = Date.now(), pressed = 0; countMatches(fs.readFileSync(filePath, 'utf8'), kase.fix.adds) <= before; ) {
          if (Date.now() - t > STEP_MS) throw new Error(`${kase.file} on disk did not get ${kase.fix.adds}:\n${fs.readFileSync(filePath, 'utf8')}`);
          if (Date.now() - t >= pressed * 3000) {
            await page.keyboard.press('Control+S'); // again every 3 s, in case a keystroke is lost
            pressed++;
          }
          await page.waitForTimeout(50);
        }
      });

      // The fix may move the flagged line; find the marker again in the saved file.
      const newLine = markerLine(filePath, kase);
      await step(`squiggle on line ${newLine} gone`, async () => {
        for (let t = Date.now(); (await squigglesOnLine(page, squiggle, newLine)) !== 0; ) {
          if (Date.now() - t > STEP_MS) throw new Error(`.${squiggle} still on line ${newLine}`);
          await page.waitForTimeout(50);
        }
        await page.locator('.markers-panel .monaco-list-row', { hasText: `[Ln ${newLine},` }).filter({ hasText: kase.code }).waitFor({ state: 'detached' });
      });
      await page.screenshot({ path: shotAfter });
    } catch (err) {
      await page.screenshot({ path: path.join(artifacts, 'e2e-ui-failure.png') }).catch(() => {});
      err.message = `${err.message.split('\n')[0]} (screenshot: ${path.join(artifacts, 'e2e-ui-failure.png')}, logs: ${dir})`;
      throw err;
    } finally {
      browserLog.end();
    }
  } finally {
    if (browser) await browser.context.close().catch(() => {});
    await lib.stop(server.child);
  }
  const rel = (p) => path.relative(process.cwd(), p) || p;
  return {
    detail: `${lib.seconds(Date.now() - started)}; screenshots ${rel(shotBefore)}, ${rel(shotAfter)}`,
    activationMs: findActivationMs(userDataDir),
  };
}

module.exports = { runUiTest };
