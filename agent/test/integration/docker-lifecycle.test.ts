/**
 * Managed containers on a real Docker Engine (start one with scripts/docker-engine.sh; see
 * agent/test/support/engine.ts): create → start → healthy over HTTP → logs → stop → remove, for both specs (the
 * vLLM one with vLLM-style arguments), models pulled through the Ollama API, a server that never listens failing
 * with its last log lines, idle stop and wake-up. The images are built locally (fake-server.mjs on the host's node).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerRuntimeManager, LABEL, type ContainerLogLine } from '../../src/runtimes/docker/index';
import { removeNodeContainers, testEngine, uniqueNodeId } from '../support/engine';
import { fakeServerImage, silentServerImage } from '../support/images';

const engine = await testEngine();

describe.skipIf(!engine.info.available)('Docker runtime manager: lifecycle', () => {
  const { docker } = engine;
  const nodeId = uniqueNodeId('life');
  const logs: ContainerLogLine[] = [];
  let image = '';
  let silent = '';
  let manager: DockerRuntimeManager;

  beforeAll(async () => {
    image = (await fakeServerImage(docker)).tag;
    silent = (await silentServerImage(docker)).tag;
    manager = new DockerRuntimeManager({
      nodeId,
      detectGpus: async () => 0,
      onLog: (l) => logs.push(l),
      idleCheckMs: 100,
      stopTimeoutSeconds: 2,
    });
  });

  afterAll(async () => {
    await manager?.shutdown();
    await removeNodeContainers(docker, nodeId);
  });

  it('starts an Ollama-style container, waits for its API, streams its logs, stops and removes it', async () => {
    const started = Date.now();
    const rt = await manager.startRuntime({ kind: 'ollama', image, modelsCache: `orchion-test-${nodeId}` });
    console.log(`ollama-style container healthy in ${Date.now() - started} ms`);
    expect(rt.state).toBe('ready');
    expect(rt.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(rt.baseUrl)).text()).toBe('Ollama is running');

    const info = await docker.getContainer(rt.containerId).inspect();
    expect(info.Config.Labels).toMatchObject({
      [LABEL.managed]: 'true',
      [LABEL.node]: nodeId,
      [LABEL.runtime]: 'ollama',
      [LABEL.kind]: 'ollama',
      [LABEL.port]: String(rt.port),
    });
    expect(info.HostConfig.Init).toBe(true);
    expect(info.HostConfig.NetworkMode).toBe('host');
    expect(info.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(info.HostConfig.DeviceRequests ?? []).toEqual([]);
    expect(info.Mounts.map((m) => m.Destination)).toContain('/root/.ollama');
    expect(info.Config.Env).toContain(`OLLAMA_HOST=127.0.0.1:${rt.port}`);

    await waitFor(() => logs.some((l) => l.stream === 'stderr' && l.text.includes('stderr says hello')));
    expect(
      logs.some((l) => l.stream === 'stdout' && l.text.includes(`listening on 127.0.0.1:${rt.port}`)),
    ).toBe(true);
    expect(logs.every((l) => l.runtime === 'ollama' && l.containerId === rt.containerId)).toBe(true);

    const signal = rt.signal;
    const stopStarted = Date.now();
    await manager.stop('ollama');
    console.log(`stop took ${Date.now() - stopStarted} ms`);
    expect(Date.now() - stopStarted).toBeLessThan(1_500); // Init: SIGTERM reaches the server at once
    expect(rt.state).toBe('stopped');
    expect(signal.aborted).toBe(true);
    expect((await docker.getContainer(rt.containerId).inspect()).State.Running).toBe(false);

    await manager.remove('ollama');
    await expect(docker.getContainer(rt.containerId).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(manager.get('ollama')).toBeUndefined();
  });

  it('starts a vLLM-style container with its model, served name and extra arguments', async () => {
    const rt = await manager.startRuntime({
      kind: 'vllm',
      image,
      model: 'org/some-model',
      servedName: 'some-model',
      extraArgs: ['--max-model-len', '2048'],
      gpus: 0,
    });
    expect(rt.name).toBe('vllm-some-model');
    const models = (await (await fetch(`${rt.baseUrl}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['some-model']);
    const info = await docker.getContainer(rt.containerId).inspect();
    expect([info.Path, ...info.Args]).toEqual([
      'node',
      '/app/fake-server.mjs',
      'org/some-model',
      '--host',
      '127.0.0.1',
      '--port',
      String(rt.port),
      '--served-model-name',
      'some-model',
      '--max-model-len',
      '2048',
    ]);
    expect(info.HostConfig.IpcMode).toBe('host');
    expect(info.Config.Labels[LABEL.model]).toBe('some-model');
    await manager.remove(rt.name);
  });

  it('reuses a running container for the same spec and replaces it when the spec changes', async () => {
    const a = await manager.startRuntime({ kind: 'ollama', name: 'reuse', image });
    const b = await manager.startRuntime({ kind: 'ollama', name: 'reuse', image });
    expect(b.containerId).toBe(a.containerId);
    const c = await manager.startRuntime({ kind: 'ollama', name: 'reuse', image, env: { X: '1' } });
    expect(c.containerId).not.toBe(a.containerId);
    await expect(docker.getContainer(a.containerId).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await manager.remove('reuse');
  });

  it('pulls the listed models through the Ollama API, and fails the start with the pull error', async () => {
    const progress: string[] = [];
    const rt = await manager.startRuntime(
      { kind: 'ollama', name: 'pulls', image, models: ['llama3.2:1b'] },
      { onModelProgress: (p) => progress.push(`${p.model}: ${p.status}`) },
    );
    expect(progress).toContain('llama3.2:1b: success');
    const tags = (await (await fetch(`${rt.baseUrl}/api/tags`)).json()) as { models: { name: string }[] };
    expect(tags.models.map((m) => m.name)).toContain('llama3.2:1b');
    await manager.remove('pulls');

    await expect(
      manager.startRuntime({ kind: 'ollama', name: 'pulls', image, models: ['missing-model'] }),
    ).rejects.toMatchObject({
      code: 'model-pull-failed',
      message: expect.stringContaining('file does not exist'),
    });
    expect(
      await docker.listContainers({ all: true, filters: { label: [`${LABEL.runtime}=pulls`] } }),
    ).toEqual([]);
  });

  it('fails a server that never listens with a clear error ending with its last log lines', async () => {
    const started = Date.now();
    const err = await manager
      .startRuntime({ kind: 'ollama', name: 'silent', image: silent, healthTimeoutMs: 2_000 })
      .then(
        () => undefined,
        (e: unknown) => e as Error & { code: string },
      );
    expect(err?.code).toBe('health-timeout');
    expect(err?.message).toMatch(
      /silent: http:\/\/127\.0\.0\.1:\d+\/ did not answer within 2 s \(last: ECONNREFUSED\)/,
    );
    expect(err?.message).toContain('last ');
    expect(err?.message).toContain('fake server: still loading...');
    expect(err?.message).toContain('stderr says hello too');
    expect(Date.now() - started).toBeLessThan(10_000);
    console.log(`health-timeout error:\n${err?.message}`);
    // The failed container is not left behind.
    expect(
      await docker.listContainers({
        all: true,
        filters: { label: [`${LABEL.runtime}=silent`, `${LABEL.node}=${nodeId}`] },
      }),
    ).toEqual([]);
  });

  it('refuses a fixed port that something else already listens on', async () => {
    const server = createServer((_req, res) => res.end('Ollama is running')); // would pass the health check
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await expect(
        manager.startRuntime({ kind: 'ollama', name: 'taken', image, port }),
      ).rejects.toMatchObject({
        code: 'start-failed',
        message: `taken: port ${port} on 127.0.0.1 is already in use`,
      });
    } finally {
      server.close();
    }
    const rt = await manager.startRuntime({ kind: 'ollama', name: 'taken', image, port });
    expect(rt.port).toBe(port);
    await manager.remove('taken');
  });

  it('stops an idle vLLM-style container and starts it again for the next request', async () => {
    const rt = await manager.startRuntime({ kind: 'vllm', image, model: 'm', gpus: 0, idleStopMs: 500 });
    const lease = await manager.acquire(rt.name);
    await sleep(900);
    expect(rt.state).toBe('ready'); // in use: not idle
    lease.release();
    await waitFor(() => rt.state === 'idle');
    await waitForAsync(async () => !(await docker.getContainer(rt.containerId).inspect()).State.Running);
    const again = await manager.acquire(rt.name);
    expect(again.runtime.state).toBe('ready');
    expect(again.runtime.containerId).toBe(rt.containerId);
    expect((await fetch(`${rt.baseUrl}/health`)).ok).toBe(true);
    again.release();
    await manager.remove(rt.name);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const waitFor = (cond: () => boolean, timeoutMs?: number) => waitForAsync(async () => cond(), timeoutMs);

async function waitForAsync(cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}
