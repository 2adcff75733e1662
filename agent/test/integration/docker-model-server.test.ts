/**
 * Orchion's model server (model-server/dist/server.js, from `npm run build`) in a container managed like an Ollama
 * server: its image is built from the bundle, node-llama-cpp and its linux-x64 binaries on the host's node
 * (agent/test/support/images.ts), started from an `ollama` spec with a host models dir, and a real llama.cpp
 * completion comes back through the container's Ollama API with plain fetch, and through ContainerRuntime (the
 * Runtime the executor would use, over OllamaRuntime). Needs scripts/docker-engine.sh
 * (see agent/test/support/engine.ts) and a build.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ContainerRuntime,
  DockerRuntimeManager,
  type ContainerLogLine,
} from '../../src/runtimes/docker/index';
import { removeNodeContainers, testEngine, uniqueNodeId } from '../support/engine';
import { hasModelServer, modelServerImage } from '../support/images';

const engine = await testEngine();
if (engine.info.available && !hasModelServer()) {
  const why = 'model-server/dist/server.js is missing (run npm run build)';
  if (process.env.CI) throw new Error(`CI is set and ${why}`);
  console.warn(`SKIPPING the model-server container test: ${why}`);
}

describe.skipIf(!engine.info.available || !hasModelServer())('model-server in a managed container', () => {
  const { docker } = engine;
  const nodeId = uniqueNodeId('ms');
  const cache = mkdtempSync(join(tmpdir(), 'orchion-ms-cache-'));
  const logs: ContainerLogLine[] = [];
  const manager = new DockerRuntimeManager({ nodeId, detectGpus: async () => 0, onLog: (l) => logs.push(l) });

  afterAll(async () => {
    await manager.shutdown();
    await removeNodeContainers(docker, nodeId);
    rmSync(cache, { recursive: true, force: true });
  });

  it('answers a real completion through the Ollama API', async () => {
    const image = await modelServerImage(docker);
    const size = (await docker.getImage(image.tag).inspect()).Size;
    console.log(
      `model-server image ${image.tag}: ${(size / 1e6).toFixed(0)} MB, ${image.built ? `built in ${image.ms} ms` : 'cached'}`,
    );
    const started = Date.now();
    const rt = await manager.startRuntime({
      kind: 'ollama',
      name: 'model-server',
      image: image.tag,
      modelsCache: cache,
      env: { ORCHION_MODEL_SERVER_TINY_MODEL: '1', ORCHION_MODEL_SERVER_GPU: 'false' },
    });
    console.log(`model-server container healthy in ${Date.now() - started} ms`);
    expect(await (await fetch(rt.baseUrl)).text()).toBe('Ollama is running');
    const tags = (await (await fetch(`${rt.baseUrl}/api/tags`)).json()) as { models: { name: string }[] };
    expect(tags.models.map((m) => m.name)).toContain('orchion-tiny:latest');

    const res = await fetch(`${rt.baseUrl}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'orchion-tiny',
        prompt: 'Once upon a time',
        stream: false,
        options: { num_predict: 8, temperature: 0 },
      }),
    });
    if (res.status !== 200) {
      throw new Error(
        `HTTP ${res.status}: ${await res.text()}\n${logs.map((l) => `${l.stream}: ${l.text}`).join('\n')}`,
      );
    }
    const body = (await res.json()) as { response: string; done: boolean; eval_count: number };
    expect(body.done).toBe(true);
    expect(body.eval_count).toBeGreaterThan(0);
    expect(body.response.length).toBeGreaterThan(0);
    expect(logs.some((l) => l.text.includes('orchion model-server listening on'))).toBe(true);

    // The same container as the executor sees it: a Runtime over OllamaRuntime.
    const runtime = new ContainerRuntime({ manager, runtime: rt.name });
    expect((await runtime.listModels()).map((m) => [m.name, m.runtime])).toContainEqual([
      'orchion-tiny',
      'model-server',
    ]);
    const tokens: string[] = [];
    const result = await runtime.complete({
      model: 'orchion-tiny',
      prompt: 'Once upon a time',
      options: { maxTokens: 8 },
      onToken: (t) => tokens.push(t),
    });
    expect(result.completionTokens).toBeGreaterThan(0);
    expect(tokens.join('')).toBe(result.text);
    await runtime.close();
    await manager.remove(rt.name);
  });
});
