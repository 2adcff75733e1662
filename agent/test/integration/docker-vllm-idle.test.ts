/**
 * Idle stop of vLLM containers on the real Docker Engine. vllm/vllm-openai cannot be downloaded here (and needs a
 * GPU), so the image is a STAND-IN: Orchion's model server (real llama.cpp, the tiny model) behind the vLLM image's
 * command line (`MODEL --host --port --served-model-name`, agent/test/support/vllm-standin-entry.mjs), serving the
 * OpenAI API and GET /health like vLLM. The manager starts it from a `vllm` spec with idleStopMs; requests go
 * through ContainerRuntime (OpenAIRuntime), as the executor sends them. Unused for idleStopMs, the container is
 * stopped (not removed) and the runtime still lists its model as not loaded; the next request starts the same
 * container again and is answered; a runtime with a request in flight is never stopped. Needs
 * scripts/docker-engine.sh (agent/test/support/engine.ts) and a build (model-server/dist).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ContainerRuntime,
  DockerRuntimeManager,
  type ContainerLogLine,
  type ManagedRuntime,
} from '../../src/runtimes/docker/index';
import { removeNodeContainers, testEngine, uniqueNodeId } from '../support/engine';
import { hasModelServer, vllmStandInImage } from '../support/images';

const engine = await testEngine();
if (engine.info.available && !hasModelServer()) {
  const why = 'model-server/dist/server.js is missing (run npm run build)';
  if (process.env.CI) throw new Error(`CI is set and ${why}`);
  console.warn(`SKIPPING the vLLM idle-stop test: ${why}`);
}

const IDLE_MS = 1_500;
const MODEL = 'orchion-tiny';

describe.skipIf(!engine.info.available || !hasModelServer())(
  'vLLM idle stop (model-server as a stand-in for vllm/vllm-openai)',
  () => {
    const { docker } = engine;
    const nodeId = uniqueNodeId('vllm-idle');
    const cache = mkdtempSync(join(tmpdir(), 'orchion-vllm-cache-'));
    const logs: ContainerLogLine[] = [];
    const states: string[] = [];
    const manager = new DockerRuntimeManager({
      nodeId,
      detectGpus: async () => 0,
      onLog: (l) => logs.push(l),
      onStateChange: (rt) => states.push(rt.state),
      idleCheckMs: 100,
      stopTimeoutSeconds: 5,
    });
    let runtime: ContainerRuntime | undefined;

    afterAll(async () => {
      await runtime?.close();
      await manager.shutdown();
      await removeNodeContainers(docker, nodeId);
      rmSync(cache, { recursive: true, force: true });
    });

    const running = async (rt: ManagedRuntime) =>
      (await docker.getContainer(rt.containerId).inspect()).State.Running;
    const complete = async (maxTokens: number) => {
      const tokens: string[] = [];
      const result = await runtime!.complete({
        model: MODEL,
        prompt: 'Once upon a time',
        options: { maxTokens, temperature: 0 },
        onToken: (t) => tokens.push(t),
      });
      expect(result.completionTokens).toBeGreaterThan(0);
      expect(tokens.join('')).toBe(result.text);
      return result;
    };

    it('stops the unused container after idleStopMs and starts the same one again for the next request', async () => {
      const image = (await vllmStandInImage(docker)).tag;
      const rt = await manager.startRuntime({
        kind: 'vllm',
        name: 'vllm-tiny',
        image,
        model: MODEL,
        gpus: 0,
        cache,
        idleStopMs: IDLE_MS,
        healthTimeoutMs: 120_000,
        env: {
          ORCHION_MODEL_SERVER_TINY_MODEL: '1',
          ORCHION_MODEL_SERVER_GPU: 'false',
          ORCHION_MODEL_SERVER_THREADS: '1',
        },
      });
      expect(
        logs.some((l) =>
          l.text.startsWith(`vllm stand-in: serving ${MODEL} (vllm serve ${MODEL} --host 127.0.0.1`),
        ),
      ).toBe(true);
      runtime = new ContainerRuntime({ manager, runtime: rt.name });
      expect((await runtime.listModels()).map((m) => m.name)).toEqual([MODEL]);
      await complete(8);

      // Unused: stopped once the idle time has passed (the sweep runs every 100 ms).
      const usedAt = Date.now();
      // 'idle' is reported once the container has stopped.
      await until(() => states.at(-1) === 'idle', 30_000);
      const idleAfter = Date.now() - usedAt;
      expect(idleAfter).toBeGreaterThanOrEqual(IDLE_MS - 50);
      expect(await running(rt)).toBe(false);
      expect(manager.get(rt.name)).toBe(rt); // stopped, not removed
      expect(await runtime.listModels()).toEqual([{ name: MODEL, runtime: 'vllm-tiny', loaded: false }]);

      // The next request wakes it: the same container, started again, answers.
      const containerId = rt.containerId;
      const woke = Date.now();
      await complete(8);
      console.log(`idle stop after ${idleAfter} ms unused; woken and answered in ${Date.now() - woke} ms`);
      expect(rt.containerId).toBe(containerId);
      expect(rt.state).toBe('ready');
      expect(await running(rt)).toBe(true);
      expect(states).toEqual(['ready', 'idle', 'starting', 'ready']);
    }, 240_000);

    it('never stops a runtime with a request in flight', async () => {
      const rt = manager.get('vllm-tiny')!;
      expect(rt.state).toBe('ready');
      const lease = await manager.acquire(rt.name);
      await new Promise((r) => setTimeout(r, IDLE_MS + 600));
      expect(rt.state).toBe('ready');
      expect(await running(rt)).toBe(true);
      lease.release();
      await until(() => states.at(-1) === 'idle', 30_000);
      expect(await running(rt)).toBe(false);
    }, 60_000);
  },
);

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
