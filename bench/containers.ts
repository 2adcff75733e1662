// bench:containers — the lifecycle of a managed runtime container on a real Docker Engine (DOCKER_HOST; start one
// with scripts/docker-engine.sh): create → start → healthy (first 2xx of its HTTP API) → first token of a streamed
// /api/generate → stop → remove, repeated, medians printed. The same create-options and health check as the
// agent's DockerRuntimeManager (agent/src/runtimes/docker), polled every 10 ms here for resolution. Two images:
// fake-server (a stand-in Ollama API on the host's node: the container machinery's own cost, the baseline) and
// model-server (Orchion's model server with llama.cpp and the tiny model: first token includes the model load),
// plus the full DockerRuntimeManager.startRuntime → remove path on the baseline image.
// Part 2, tokens/s: the same tiny model file (1 thread, CPU, temperature 0, a fixed max_tokens) generated through
// the embedded runtime (the agent's llama.cpp worker process: the baseline) and through managed containers as the
// executor reaches them (ContainerRuntime): model-server over the Ollama API, and the vLLM stand-in (the same
// model-server behind vLLM's command line) over the OpenAI API. Rounds interleave the runtimes; medians and the
// median of per-round ratios to the embedded runtime are printed.
// Usage: npm run build && node bench/dist/containers.js [--runs 10] [--images fake,model-server]
//        [--parts lifecycle,tokens] [--rounds 30] [--max-tokens 128]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type Docker from 'dockerode';
import { TINY_MODEL_FILE, TINY_MODEL_NAME, writeTinyModel } from '../agent/src/models/tiny-model';
import { ContainerRuntime } from '../agent/src/runtimes/docker/container-runtime';
import { createOptions } from '../agent/src/runtimes/docker/create-options';
import { connectDocker } from '../agent/src/runtimes/docker/connect';
import { engineInfo } from '../agent/src/runtimes/docker/engine-info';
import { waitForHealth } from '../agent/src/runtimes/docker/health';
import { DockerRuntimeManager } from '../agent/src/runtimes/docker/manager';
import { ollamaPlan } from '../agent/src/runtimes/docker/ollama-plan';
import { pickFullLengthPrompt } from './lib/tiny-prompt';
import { freeLoopbackPort } from '../agent/src/runtimes/docker/ports';
import { EmbeddedRuntime } from '../agent/src/runtimes/embedded/runtime';
import type { Runtime } from '../agent/src/runtimes/types';
import { repoRoot } from '../agent/test/support/image-builder';
import {
  fakeServerImage,
  hasModelServer,
  modelServerImage,
  vllmStandInImage,
} from '../agent/test/support/images';
import { flagReader } from './lib/process';

const args = process.argv.slice(2);
const flag = flagReader(args);
const RUNS = Number(flag('runs', '10'));
const IMAGES = flag('images', 'fake,model-server').split(',');
const PARTS = flag('parts', 'lifecycle,tokens').split(',');
const ROUNDS = Number(flag('rounds', '30'));
const MAX_TOKENS = Number(flag('max-tokens', '128'));
const NODE_ID = `bench-${process.pid}`;

type Phase = 'create' | 'start' | 'healthy' | 'firstToken' | 'stop' | 'remove' | 'total';
const PHASES: Phase[] = ['create', 'start', 'healthy', 'firstToken', 'stop', 'remove', 'total'];

async function cycle(docker: Docker, image: string, cache: string, env: Record<string, string>) {
  const plan = ollamaPlan({ kind: 'ollama', name: `bench-${Date.now()}`, image, modelsCache: cache, env });
  const port = await freeLoopbackPort();
  const t: Partial<Record<Phase, number>> = {};
  const t0 = performance.now();
  let mark = t0;
  const lap = (p: Phase) => {
    const now = performance.now();
    t[p] = now - mark;
    mark = now;
  };
  const container = await docker.createContainer(
    createOptions(plan, { nodeId: NODE_ID, port, restartRetries: 0 }),
  );
  lap('create');
  await container.start();
  lap('start');
  await waitForHealth({
    name: plan.name,
    url: `http://127.0.0.1:${port}/`,
    timeoutMs: 60_000,
    intervalMs: 10,
    state: async () => ({ running: true }),
    lastLogs: async () => [],
  });
  lap('healthy');
  const res = await fetch(`http://127.0.0.1:${port}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'orchion-tiny', prompt: 'Once upon a time', options: { num_predict: 4 } }),
  });
  if (!res.ok || !res.body) throw new Error(`generate: HTTP ${res.status} ${await res.text()}`);
  const reader = res.body.getReader();
  await reader.read(); // the first streamed chunk carries the first token
  lap('firstToken');
  await reader.cancel();
  await container.stop({ t: 10 });
  lap('stop');
  await container.remove({ force: true });
  lap('remove');
  t.total = performance.now() - t0;
  return t as Record<Phase, number>;
}

async function managerCycle(manager: DockerRuntimeManager, image: string): Promise<number> {
  const t0 = performance.now();
  const rt = await manager.startRuntime({
    kind: 'ollama',
    name: 'bench-manager',
    image,
    modelsCache: 'orchion-bench',
  });
  const healthy = performance.now() - t0;
  await manager.remove(rt.name);
  return healthy;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
};
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

async function main(): Promise<void> {
  const { docker, endpoint } = connectDocker();
  const info = await engineInfo(docker, endpoint);
  if (!info.available)
    throw new Error(`${info.reason}; start one: eval "$(scripts/docker-engine.sh start DIR)"`);
  console.log(`# bench:containers — ${args.length ? args.join(' ') : '(defaults)'}`);
  console.log(
    `engine: Docker ${info.version} (API ${info.apiVersion}) at ${endpoint}; ${RUNS} runs per image, 1 warm-up`,
  );
  const cache = mkdtempSync(join(tmpdir(), 'orchion-bench-models-'));
  try {
    if (PARTS.includes('lifecycle')) await lifecyclePart(docker, cache);
    if (PARTS.includes('tokens')) await tokensPart(docker, cache);
  } finally {
    const left = await docker.listContainers({ all: true, filters: { label: [`orchion.node=${NODE_ID}`] } });
    await Promise.all(
      left.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
    rmSync(cache, { recursive: true, force: true });
  }
}

async function lifecyclePart(docker: Docker, cache: string): Promise<void> {
  console.log('\n== Part 1: container lifecycle (medians)');
  {
    const images: { label: string; tag: string; env: Record<string, string> }[] = [];
    if (IMAGES.includes('fake')) {
      const b = await fakeServerImage(docker);
      console.log(
        `image fake-server: ${b.built ? `built in ${ms(b.ms)}` : `cached (hash checked in ${ms(b.ms)})`}`,
      );
      images.push({ label: 'fake-server (baseline)', tag: b.tag, env: {} });
    }
    if (IMAGES.includes('model-server')) {
      if (!hasModelServer())
        console.log('image model-server: skipped (model-server/dist/server.js missing: npm run build)');
      else {
        const b = await modelServerImage(docker);
        const size = (await docker.getImage(b.tag).inspect()).Size;
        console.log(
          `image model-server: ${(size / 1e6).toFixed(0)} MB, ${b.built ? `built in ${ms(b.ms)}` : `cached (hash checked in ${ms(b.ms)})`}`,
        );
        images.push({
          label: 'model-server (llama.cpp, orchion-tiny)',
          tag: b.tag,
          env: {
            ORCHION_MODEL_SERVER_TINY_MODEL: '1',
            ORCHION_MODEL_SERVER_GPU: 'false',
            ORCHION_MODEL_SERVER_LOG_LEVEL: 'warn',
          },
        });
      }
    }
    console.log('');
    console.log(`| image | ${PHASES.join(' | ')} |`);
    console.log(`|---|${PHASES.map(() => '---').join('|')}|`);
    for (const img of images) {
      await cycle(docker, img.tag, cache, img.env); // warm-up (page cache, model file written)
      const runs: Record<Phase, number>[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await cycle(docker, img.tag, cache, img.env));
      console.log(`| ${img.label} | ${PHASES.map((p) => ms(median(runs.map((r) => r[p])))).join(' | ')} |`);
    }
    if (IMAGES.includes('fake')) {
      const manager = new DockerRuntimeManager({
        nodeId: NODE_ID,
        docker,
        detectGpus: async () => 0,
        onLog: () => {},
      });
      const fake = images[0]!.tag;
      await managerCycle(manager, fake);
      const starts: number[] = [];
      for (let i = 0; i < RUNS; i++) starts.push(await managerCycle(manager, fake));
      await manager.shutdown();
      console.log(
        `\nDockerRuntimeManager.startRuntime → ready (fake-server, 100 ms health poll): median ${ms(median(starts))}`,
      );
    }
  }
}

interface Sample {
  tokens: number;
  /** Request to result, as the executor sees it. */
  ms: number;
  /** Request to first streamed token. */
  firstMs: number;
}

async function generate(rt: Runtime, prompt: string): Promise<Sample> {
  const t0 = performance.now();
  let first = 0;
  const r = await rt.complete({
    model: TINY_MODEL_NAME,
    prompt,
    options: { maxTokens: MAX_TOKENS, temperature: 0 },
    onToken: () => (first ||= performance.now()),
  });
  const t1 = performance.now();
  return { tokens: r.completionTokens, ms: t1 - t0, firstMs: (first || t1) - t0 };
}

async function tokensPart(docker: Docker, cache: string): Promise<void> {
  if (!hasModelServer()) {
    console.log('\n== Part 2 skipped: model-server/dist/server.js missing (npm run build)');
    return;
  }
  console.log(
    `\n== Part 2: tokens/s, embedded runtime vs managed containers (${TINY_MODEL_NAME}, 1 thread, CPU, ` +
      `temperature 0, max_tokens ${MAX_TOKENS}, ${ROUNDS} interleaved rounds, 1 warm-up; load ${loadavg()[0]!.toFixed(1)})`,
  );
  // One model file for all: the embedded runtime reads <cache>/models, the Ollama-style container mounts <cache>
  // at /root/.ollama (models in /root/.ollama/models), the vLLM stand-in at /root/.cache/huggingface.
  const modelsDir = join(cache, 'models');
  mkdirSync(modelsDir, { recursive: true });
  await writeTinyModel(join(modelsDir, TINY_MODEL_FILE));
  const vllmCache = join(cache, 'hf');
  mkdirSync(join(vllmCache, 'orchion-models'), { recursive: true });
  await writeTinyModel(join(vllmCache, 'orchion-models', TINY_MODEL_FILE));
  const env = {
    ORCHION_MODEL_SERVER_GPU: 'false',
    ORCHION_MODEL_SERVER_THREADS: '1',
    ORCHION_MODEL_SERVER_LOG_LEVEL: 'warn',
  };

  const manager = new DockerRuntimeManager({
    nodeId: NODE_ID,
    docker,
    detectGpus: async () => 0,
    onLog: () => {},
  });
  const embedded = new EmbeddedRuntime({
    modelsDir,
    threads: 1,
    gpu: false,
    workerPath: join(repoRoot(), 'agent/dist/llama-worker.js'),
  });
  const runtimes: { label: string; rt: Runtime }[] = [
    { label: 'embedded (llama.cpp worker; baseline)', rt: embedded },
  ];
  try {
    const ollama = await manager.startRuntime({
      kind: 'ollama',
      name: 'bench-ollama',
      image: (await modelServerImage(docker)).tag,
      modelsCache: cache,
      env,
    });
    runtimes.push({
      label: 'container: model-server, Ollama API',
      rt: new ContainerRuntime({ manager, runtime: ollama.name }),
    });
    const vllm = await manager.startRuntime({
      kind: 'vllm',
      name: 'bench-vllm',
      image: (await vllmStandInImage(docker)).tag,
      model: TINY_MODEL_NAME,
      gpus: 0,
      cache: vllmCache,
      env,
    });
    runtimes.push({
      label: 'container: vLLM stand-in, OpenAI API',
      rt: new ContainerRuntime({ manager, runtime: vllm.name }),
    });

    const { prompt, tokens: best } = await pickFullLengthPrompt(
      (candidate) => generate(embedded, candidate),
      MAX_TOKENS,
    );
    console.log(`prompt ${JSON.stringify(prompt)}: ${best} tokens of max ${MAX_TOKENS}`);
    for (const { rt } of runtimes) await generate(rt, prompt); // warm-up: model loaded, connections open

    const samples = runtimes.map(() => [] as Sample[]);
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order so no runtime always runs first (or right after another's burst).
      for (let k = 0; k < runtimes.length; k++) {
        const i = (round + k) % runtimes.length;
        samples[i]!.push(await generate(runtimes[i]!.rt, prompt));
      }
    }
    const tps = (s: Sample) => (s.tokens / s.ms) * 1000;
    console.log('');
    console.log(
      '| runtime | tokens | tokens/s (median) | first token (median) | request (median) | vs embedded: median of rounds (p25–p75) |',
    );
    console.log('|---|---|---|---|---|---|');
    runtimes.forEach(({ label }, i) => {
      const s = samples[i]!;
      const ratios = s.map((x, r) => tps(x) / tps(samples[0]![r]!));
      console.log(
        `| ${label} | ${median(s.map((x) => x.tokens))} | ${median(s.map(tps)).toFixed(0)} | ` +
          `${ms(median(s.map((x) => x.firstMs)))} | ${ms(median(s.map((x) => x.ms)))} | ` +
          `${i === 0 ? '1.00' : `${median(ratios).toFixed(2)} (${quantile(ratios, 0.25).toFixed(2)}–${quantile(ratios, 0.75).toFixed(2)})`} |`,
      );
    });
  } finally {
    await Promise.allSettled(runtimes.map(({ rt }) => rt.close()));
    await manager.shutdown();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
