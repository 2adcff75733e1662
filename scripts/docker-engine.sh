#!/usr/bin/env bash
# A private Docker Engine (and a loopback registry) for tests, following ../shared/notes/docker-engine.md.
#
#   scripts/docker-engine.sh start DIR   install docker.io + docker-registry if missing, start both under DIR
#   scripts/docker-engine.sh env DIR     print `export DOCKER_HOST=… ORCHION_TEST_REGISTRY=…` for a shell
#   scripts/docker-engine.sh stop DIR    stop both by their PID files and unmount what dockerd left
#
# Everything lives under DIR: the socket, data, exec root, PID files, logs and the registry's storage. The
# engine has no bridge and no iptables rules: containers use the host network and loopback ports only. The
# registry listens on 127.0.0.1 at a free port (REGISTRY_PORT to choose one), written to DIR/registry.port.
# Needs root (dockerd). Local use:  eval "$(scripts/docker-engine.sh start /tmp/orchion-docker)"  runs start
# and prints the env lines, so `npx vitest run agent/test/integration/docker-` then finds the engine.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|env DIR" >&2
  exit 2
}
[[ $# -eq 2 ]] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
sock="$dir/docker.sock"

log() { echo "docker-engine: $*" >&2; }

ping_engine() {
  curl -sf --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1
}

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  [[ -x /usr/bin/docker-registry ]] || missing+=(docker-registry)
  command -v curl >/dev/null || missing+=(curl)
  [[ ${#missing[@]} -eq 0 ]] && return
  # apt must start no service (dockerd is started below, with its own state).
  if ! [[ -x /usr/sbin/policy-rc.d ]] || ! grep -q 'exit 101' /usr/sbin/policy-rc.d; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >"$dir/apt.log" 2>&1; then
    apt-get update >>"$dir/apt.log" 2>&1
    apt-get install -y --no-install-recommends "${missing[@]}" >>"$dir/apt.log" 2>&1 ||
      { tail -20 "$dir/apt.log" >&2; exit 1; }
  fi
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_dockerd() {
  if alive "$dir/dockerd.pid" && ping_engine; then
    log "dockerd already running (pid $(cat "$dir/dockerd.pid"))"
    return
  fi
  mkdir -p "$dir/data" "$dir/exec"
  setsid dockerd --host "unix://$sock" --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" --storage-driver overlay2 --bridge none --iptables=false --ip6tables=false \
    --ip-forward=false --ip-masq=false --userland-proxy=false >"$dir/dockerd.log" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 1 300); do
    ping_engine && { log "dockerd ready (pid $pid, $sock)"; return; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -30 "$dir/dockerd.log" >&2
  log "dockerd did not answer /_ping"
  exit 1
}

start_registry() {
  if alive "$dir/registry.pid"; then
    log "registry already running (pid $(cat "$dir/registry.pid"), 127.0.0.1:$(cat "$dir/registry.port"))"
    return
  fi
  local port=${REGISTRY_PORT:-$(free_port)}
  mkdir -p "$dir/registry/data"
  cat >"$dir/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/registry/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
  setsid /usr/bin/docker-registry serve "$dir/registry/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$dir/registry.pid"
  echo "$port" >"$dir/registry.port"
  for _ in $(seq 1 100); do
    curl -sf --max-time 2 "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 &&
      { log "registry ready (pid $pid, 127.0.0.1:$port)"; return; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -30 "$dir/registry.log" >&2
  log "registry did not answer on 127.0.0.1:$port"
  exit 1
}

stop_pid() { # pidfile name
  local file=$1 name=$2 pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) ignored SIGTERM for 15 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "$name stopped (pid $pid)"
  fi
  rm -f "$file"
}

unmount_leftovers() {
  # Deepest first: overlay mounts, netns and the exec root's shm mounts of containers dockerd left behind.
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
}

print_env() {
  echo "export DOCKER_HOST=unix://$sock"
  [[ -f $dir/registry.port ]] && echo "export ORCHION_TEST_REGISTRY=127.0.0.1:$(cat "$dir/registry.port")"
  return 0
}

case $cmd in
  start)
    [[ $(id -u) -eq 0 ]] || { log "needs root (dockerd)"; exit 1; }
    install_packages
    start_dockerd
    start_registry
    print_env
    ;;
  env) print_env ;;
  stop)
    stop_pid "$dir/registry.pid" registry
    stop_pid "$dir/dockerd.pid" dockerd
    unmount_leftovers
    rm -f "$sock"
    ;;
  *) usage ;;
esac
