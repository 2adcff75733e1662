#!/usr/bin/env bash
# GPU check: what Orchion sees of this machine's GPUs, and whether a step that needs a GPU runs here.
# Starts a private local cluster (orchestrator + agent with the embedded and echo runtimes) on loopback ports,
# prints the node as the orchestrator sees it, runs a two-step pipeline whose first step needs one GPU with 8 GiB
# (the tiny built-in model on the embedded runtime) and whose second needs two GPUs (it must wait, with a reason,
# on a one-GPU machine), prints the node's log (which backend llama.cpp runs on) and stops everything.
#
#   scripts/gpu-check.sh                 # after `npm install` (which builds orchestrator/dist/cli.js)
#   AGENT_CONFIG=agent.yaml scripts/gpu-check.sh   # the agent's runtimes from a config file instead
#   PORT=17800 scripts/gpu-check.sh      # HTTP API port (gRPC: PORT+1); default 17700
#
# Exit status 0 when the GPU step succeeded. Logs: $OUTDIR (default a temporary folder, printed at the end).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLI=${CLI:-$ROOT/orchestrator/dist/cli.js}
NODE=${NODE:-node}
PORT=${PORT:-17700}
D=$(mktemp -d "${TMPDIR:-/tmp}/orchion-gpu-check.XXXXXX")
OUTDIR=${OUTDIR:-$D}
export ORCHION_DATA_DIR=$D/orch
URL=http://127.0.0.1:$PORT
cli() { "$NODE" "$CLI" "$@" --url "$URL"; }

echo "== nvidia-smi"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=index,name,memory.total,memory.used,power.draw,power.limit,driver_version --format=csv
else
  echo "(not installed)"
fi

RUNTIMES=(--runtime embedded --runtime echo)
[ -n "${AGENT_CONFIG:-}" ] && RUNTIMES=(--agent-config "$AGENT_CONFIG")
echo "== orchion up on $URL (data: $D)"
setsid "$NODE" "$CLI" up --http-addr "127.0.0.1:$PORT" --grpc-addr "127.0.0.1:$((PORT + 1))" --data-dir "$D/orch" \
  "${RUNTIMES[@]}" --log-format json >"$OUTDIR/up.log" 2>&1 &
UP=$!
trap 'kill -TERM -- -$UP 2>/dev/null' EXIT
for _ in $(seq 1 120); do cli nodes --state ready 2>/dev/null | grep -q ready && break; sleep 0.5; done
NODE_ID=$(cli nodes --json | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log((j.nodes??j)[0]?.id??"")})')
[ -n "$NODE_ID" ] || { echo "no node registered; see $OUTDIR/up.log"; exit 1; }
cli nodes
echo "== node"
cli node "$NODE_ID"

cat >"$D/gpu-check.yaml" <<'YAML'
apiVersion: orchion/v1
kind: Pipeline
metadata: { name: gpu-check, description: "One step that needs a GPU, one that needs two" }
defaults: { model: orchion-tiny, options: { temperature: 0, max_tokens: 64 } }
steps:
  - id: on-gpu
    prompt: "Once upon a time, in a cluster far away,"
    resources: { gpu: 1, min_vram_gb: 8 }
  - id: two-gpus
    needs: [on-gpu]
    model: echo
    prompt: needs two GPUs
    resources: { gpu: 2 }
YAML
echo "== submit $D/gpu-check.yaml"
JOB=$(cli submit "$D/gpu-check.yaml" --json | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')
[ -n "$JOB" ] || exit 1
state=""
for _ in $(seq 1 ${STEP_WAIT:-120}); do
  state=$(cli job "$JOB" --json | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).stepDetails[0].state))')
  case $state in succeeded | failed | cancelled) break ;; esac
  sleep 1
done
sleep 2
cli job "$JOB"
cli job "$JOB" --json >"$OUTDIR/job.json"
echo "== node log"
cli node logs "$NODE_ID"
cli cancel "$JOB" >/dev/null 2>&1
echo "== logs and the job's JSON: $OUTDIR"
[ "$state" = succeeded ]
