'use strict';
// Shared plumbing for the code-server e2e run: paths, code-server process, headless Chromium.
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');

const REPO = path.resolve(__dirname, '../..');
const CACHE = process.env.E2E_CACHE_DIR || path.join(REPO, '.vscode-test');
const NODE24_BIN = path.join(CACHE, 'node24', 'bin');
const CODE_SERVER = path.join(CACHE, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const VERBOSE = !!process.env.E2E_VERBOSE;

const log = (msg) => console.log(`[e2e] ${msg}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpOk(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** Scratch HOME/XDG/TMPDIR so code-server and VS Code write nothing outside `dir`. */
function isolatedEnv(dir, extra = {}) {
  const env = { ...process.env };
  for (const [key, sub] of [['HOME', 'home'], ['XDG_CONFIG_HOME', 'config'], ['XDG_DATA_HOME', 'data'], ['XDG_CACHE_HOME', 'cache'], ['TMPDIR', 'tmp']]) {
    env[key] = path.join(dir, sub);
    fs.mkdirSync(env[key], { recursive: true });
  }
  env.PATH = `${NODE24_BIN}${path.delimiter}${env.PATH}`;
  // npm run sets these for the runner; code-server's own node must not inherit them.
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  delete env.VSCODE_IPC_HOOK_CLI;
  return Object.assign(env, extra);
}

const running = new Set();

/** Runs code-server with Node 24 in its own process group (so the whole tree can be stopped by its PID). */
function spawnCodeServer(args, { env, logFile }) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(path.join(NODE24_BIN, 'node'), [CODE_SERVER, ...args], {
    env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  running.add(child);
  child.exitPromise = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return child;
}

function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const signalGroup = (sig) => {
    try {
      process.kill(-child.pid, sig); // the group of the process we started
    } catch {
      try {
        child.kill(sig);
      } catch {}
    }
  };
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), 3000);
  return child.exitPromise.then(() => clearTimeout(timer));
}

function stopAllSync() {
  for (const child of running) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
}

async function installExtension(vsix, { userDataDir, extensionsDir, env, logFile }) {
  const child = spawnCodeServer(
    ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { env, logFile },
  );
  const { code } = await child.exitPromise;
  if (code !== 0) throw new Error(`code-server --install-extension ${vsix} exited with ${code} (log: ${logFile})`);
}

// A quiet, deterministic profile: no welcome page, no update checks, no AI chat view.
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

async function startCodeServer({ folder, userDataDir, extensionsDir, env, logFile }) {
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const port = await freePort();
  const child = spawnCodeServer(
    [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      '--vscode-option', 'enable-smoke-test-driver',
      folder,
    ],
    { env, logFile },
  );
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (!(await httpOk(`${base}/healthz`))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`code-server exited early (log: ${logFile})`);
    if (Date.now() - started > 30000) throw new Error(`code-server did not answer ${base}/healthz within 30 s (log: ${logFile})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, base, startMs: Date.now() - started };
}

async function launchBrowser(profileDir) {
  const { chromium } = require('playwright-core');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] || (await context.newPage());
  return { context, page };
}

function copyDir(from, to) {
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => !/(^|[\\/])(__pycache__|\.venv|node_modules|\.git)$/.test(src),
  });
}

function mkScratch(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

module.exports = {
  REPO,
  CACHE,
  CODE_SERVER,
  NODE24_BIN,
  CHROMIUM,
  VERBOSE,
  log,
  seconds,
  isolatedEnv,
  installExtension,
  startCodeServer,
  launchBrowser,
  stop,
  stopAllSync,
  copyDir,
  mkScratch,
};
