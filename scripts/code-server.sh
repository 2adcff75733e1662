#!/usr/bin/env bash
# code-server (a real VS Code server, from the npm registry) for the extension's host and UI tests, following
# ../shared/notes/vscode-host.md. It lives in a cache folder OUTSIDE the project (its own package.json and
# node_modules, ~300 MB), so the project's `npm ci` stays small.
#
#   scripts/code-server.sh install       install apt packages if missing, then code-server into the cache dir;
#                                        prints the binary path (fast no-op when already installed)
#   scripts/code-server.sh path          print the binary path; exit 1 when not installed
#   scripts/code-server.sh start DIR [WORKSPACE]
#                                        start code-server for manual use with its state under DIR (config,
#                                        user data, extensions), on 127.0.0.1 at a free port (PORT to choose one);
#                                        prints the URL. Env vars set here reach the extension host.
#   scripts/code-server.sh stop DIR      stop it (the whole process group; its file watcher can outlive it)
#
# ORCHION_CODE_SERVER_DIR chooses the cache dir (default ~/.cache/orchion/code-server-4.100.3).
# The tests start their own instances (extension/test/support/code-server.ts); they only need `path`.
set -euo pipefail

version=4.100.3
ripgrep_version=1.15.11 # @vscode/ripgrep inside code-server 4.100.3
ripgrep_asset=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
apt_packages=(build-essential python3 pkg-config libkrb5-dev ripgrep chromium)
cache_dir=${ORCHION_CODE_SERVER_DIR:-$HOME/.cache/orchion/code-server-$version}
bin="$cache_dir/node_modules/.bin/code-server"
marker="$cache_dir/.installed-$version"

log() { echo "code-server: $*" >&2; }

usage() {
  echo "usage: $0 install | path | start DIR [WORKSPACE] | stop DIR" >&2
  exit 2
}

installed() { [[ -f $marker && -f $bin ]]; }

install_apt() {
  local missing=() p
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return
  [[ $(id -u) -eq 0 ]] || { log "missing apt packages (${missing[*]}); install them as root"; exit 1; }
  # apt must start no service.
  if ! [[ -x /usr/sbin/policy-rc.d ]] || ! grep -q 'exit 101' /usr/sbin/policy-rc.d; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  log "installing apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >"$cache_dir/apt.log" 2>&1; then
    apt-get update >>"$cache_dir/apt.log" 2>&1
    apt-get install -y --no-install-recommends "${missing[@]}" >>"$cache_dir/apt.log" 2>&1 ||
      { tail -20 "$cache_dir/apt.log" >&2; exit 1; }
  fi
}

# @vscode/ripgrep downloads its binary from GitHub at postinstall unless this cache file exists: a gzipped tar
# holding `rg` (Debian's, the same major version 13).
seed_ripgrep_cache() {
  local tmp cache rg_bin stage
  tmp=$(node -p 'require("os").tmpdir()')
  cache="$tmp/vscode-ripgrep-cache-$ripgrep_version"
  [[ -s $cache/$ripgrep_asset ]] && return
  rg_bin=$(command -v rg) || { log "rg not found (apt package ripgrep)"; exit 1; }
  stage=$(mktemp -d)
  cp "$rg_bin" "$stage/rg"
  mkdir -p "$cache"
  tar -czf "$cache/$ripgrep_asset.tmp" -C "$stage" rg
  mv "$cache/$ripgrep_asset.tmp" "$cache/$ripgrep_asset"
  rm -rf "$stage"
}

install() {
  mkdir -p "$cache_dir"
  install_apt # checked every time (dpkg-query, fast): Chromium is needed even when code-server is cached
  if installed; then
    echo "$bin"
    return
  fi
  seed_ripgrep_cache
  cat >"$cache_dir/package.json" <<EOF
{ "name": "orchion-code-server", "private": true, "dependencies": { "code-server": "$version" } }
EOF
  log "installing code-server@$version into $cache_dir (a few minutes; log: $cache_dir/npm.log)"
  # node-pty runs `npx node-gyp` with no TTY (yes); its postinstall refuses root otherwise (unsafe_perm).
  if ! (cd "$cache_dir" && npm_config_yes=true npm_config_unsafe_perm=true \
    npm install --no-audit --no-fund --no-save --foreground-scripts >"$cache_dir/npm.log" 2>&1); then
    tail -40 "$cache_dir/npm.log" >&2
    log "npm install failed (full log: $cache_dir/npm.log)"
    exit 1
  fi
  [[ -f $bin ]] || { log "installed, but $bin is missing"; exit 1; }
  # The ripgrep that file search uses must exist (its postinstall can 'succeed' without one).
  if ! find "$cache_dir/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin" -name rg \
    -type f 2>/dev/null | grep -q .; then
    log "warning: @vscode/ripgrep has no rg binary (file search will not work)"
  fi
  touch "$marker"
  log "installed code-server@$version"
  echo "$bin"
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

healthy() {
  node -e 'fetch(`http://127.0.0.1:${process.argv[1]}/healthz`, { signal: AbortSignal.timeout(2000) })
    .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
}

start() {
  local dir workspace port pid
  [[ $# -ge 1 ]] || usage
  installed || { log "not installed: run $0 install"; exit 1; }
  dir=$(mkdir -p "$1" && cd "$1" && pwd)
  workspace=${2:-}
  if [[ -f $dir/code-server.pid ]] && kill -0 "$(cat "$dir/code-server.pid")" 2>/dev/null; then
    log "already running (pid $(cat "$dir/code-server.pid"))"
    echo "http://127.0.0.1:$(cat "$dir/code-server.port")/"
    return
  fi
  mkdir -p "$dir/data/User" "$dir/extensions"
  [[ -f $dir/data/User/settings.json ]] || cat >"$dir/data/User/settings.json" <<'EOF'
{
  "workbench.startupEditor": "none",
  "remote.autoForwardPorts": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "update.mode": "none"
}
EOF
  printf 'auth: none\ncert: false\n' >"$dir/config.yaml"
  port=${PORT:-$(free_port)}
  setsid "$bin" --config "$dir/config.yaml" --bind-addr "127.0.0.1:$port" --auth none \
    --disable-telemetry --disable-update-check --disable-workspace-trust --user-data-dir "$dir/data" \
    --extensions-dir "$dir/extensions" ${workspace:+"$workspace"} >"$dir/code-server.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/code-server.pid"
  echo "$port" >"$dir/code-server.port"
  for _ in $(seq 1 150); do
    if healthy "$port"; then
      log "ready (pid $pid, log $dir/code-server.log)"
      echo "http://127.0.0.1:$port/"
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  tail -30 "$dir/code-server.log" >&2
  log "did not answer /healthz on 127.0.0.1:$port"
  exit 1
}

stop() {
  local dir pid
  [[ $# -ge 1 ]] || usage
  dir=$1
  [[ -f $dir/code-server.pid ]] || return 0
  pid=$(cat "$dir/code-server.pid")
  # setsid made it a process-group leader: its group id is its pid.
  if kill -0 -- "-$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 -- "-$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "stopped (process group $pid)"
  fi
  rm -f "$dir/code-server.pid"
}

[[ $# -ge 1 ]] || usage
cmd=$1
shift
case $cmd in
  install) install ;;
  path)
    installed || { log "not installed ($cache_dir): run $0 install"; exit 1; }
    echo "$bin"
    ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  *) usage ;;
esac
