/**
 * Crashes and agent restarts on a real Docker Engine (start one with scripts/docker-engine.sh; see
 * agent/test/support/engine.ts): a killed container is reported (its runtime's signal aborts, so in-flight
 * requests fail as 'runtime-crashed') and restarted with backoff; a new manager (an agent restart) adopts the
 * running container instead of starting a duplicate and removes exited ones; shutdown stops and removes its
 * containers unless told to keep them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContainerRuntime,
  DockerRuntimeManager,
  LABEL,
  type CrashReport,
} from '../../src/runtimes/docker/index';
import { isRuntimeError } from '../../src/runtimes/errors';
import { removeNodeContainers, testEngine, uniqueNodeId } from '../support/engine';
import { fakeServerImage } from '../support/images';

const engine = await testEngine();

describe.skipIf(!engine.info.available)('Docker runtime manager: crashes and adoption', () => {
  const { docker } = engine;
  const nodeIds: string[] = [];
  const managers: DockerRuntimeManager[] = [];
  let image = '';

  const newManager = (
    nodeId: string,
    more: Partial<ConstructorParameters<typeof DockerRuntimeManager>[0]> = {},
  ) => {
    const m = new DockerRuntimeManager({
      nodeId,
      detectGpus: async () => 0,
      onLog: () => {},
      stopTimeoutSeconds: 2,
      restart: { initialMs: 200, maxMs: 2_000 },
      ...more,
    });
    managers.push(m);
    return m;
  };
  const node = (prefix: string) => {
    const id = uniqueNodeId(prefix);
    nodeIds.push(id);
    return id;
  };
  const containersOf = (nodeId: string) =>
    docker.listContainers({ all: true, filters: { label: [`${LABEL.node}=${nodeId}`] } });

  beforeAll(async () => {
    image = (await fakeServerImage(docker)).tag;
  });

  afterAll(async () => {
    await Promise.allSettled(managers.map((m) => m.shutdown()));
    for (const id of nodeIds) await removeNodeContainers(docker, id);
  });

  it('reports a killed container and restarts it with backoff', async () => {
    const crashes: CrashReport[] = [];
    const states: string[] = [];
    const m = newManager(node('crash'), {
      onCrash: (r) => crashes.push(r),
      onStateChange: (r) => states.push(r.state),
    });
    const rt = await m.startRuntime({ kind: 'ollama', image });
    const signal = rt.signal;
    // A generation in flight when the server dies fails at once (bound to the run's signal).
    const res = await fetch(`${rt.baseUrl}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', prompt: 'a '.repeat(1000), options: { token_delay_ms: 10 } }),
      signal,
    });
    const inFlight = res.text().then(
      () => 'finished',
      (err: Error) => err.message,
    );
    const killedAt = Date.now();
    await docker.getContainer(rt.containerId).kill();
    await waitFor(() => crashes.length === 1);
    const detectedMs = Date.now() - killedAt;
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toMatch(/ollama: the container exited with code 137/);
    expect(await inFlight).not.toBe('finished');
    expect(crashes[0]).toMatchObject({
      runtime: 'ollama',
      containerId: rt.containerId,
      exitCode: 137,
      willRestart: true,
    });
    expect(crashes[0]!.lastLogs.join('\n')).toContain('listening on');

    await waitFor(() => rt.state === 'ready', 15_000);
    const restartedMs = Date.now() - killedAt;
    console.log(`kill → crash reported in ${detectedMs} ms, healthy again in ${restartedMs} ms`);
    expect(rt.restarts).toBe(1);
    expect(rt.signal.aborted).toBe(false); // a fresh signal for the new run
    expect(await (await fetch(rt.baseUrl)).text()).toBe('Ollama is running');
    expect(states).toEqual(['ready', 'crashed', 'ready']);

    // A second kill: the next delay doubles (200 ms, then 400 ms), and it comes back again.
    await docker.getContainer(rt.containerId).kill();
    await waitFor(() => crashes.length === 2);
    await waitFor(() => rt.state === 'ready' && rt.restarts === 2, 15_000);
  });

  it('a server that exits non-zero is restarted (by the engine’s on-failure policy or the manager) and reported', async () => {
    const crashes: CrashReport[] = [];
    const m = newManager(node('exit'), { onCrash: (r) => crashes.push(r) });
    const rt = await m.startRuntime({ kind: 'ollama', image });
    await fetch(`${rt.baseUrl}/crash`, { method: 'POST' }).catch(() => undefined);
    await waitFor(() => crashes.length === 1);
    expect(crashes[0]).toMatchObject({ exitCode: 3, willRestart: true });
    expect(crashes[0]!.lastLogs.join('\n')).toContain('crashing on request (exit 3)');
    await waitFor(() => rt.state === 'ready', 15_000);
    expect(rt.restarts).toBe(1);
    expect(await (await fetch(rt.baseUrl)).text()).toBe('Ollama is running');
    expect(crashes.length).toBe(1);
  });

  it('as a Runtime: a generation cut by a crash fails as runtime-crashed, the next one runs after the restart', async () => {
    const m = newManager(node('rt-crash'));
    const rt = await m.startRuntime({ kind: 'ollama', image, env: { FAKE_TOKEN_DELAY_MS: '20' } });
    const runtime = new ContainerRuntime({ manager: m, runtime: rt.name });
    const tokens: string[] = [];
    const outcome = runtime
      .complete({ model: 'fake', prompt: 'word '.repeat(500), onToken: (t) => tokens.push(t) })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await waitFor(() => tokens.length >= 3);
    await docker.getContainer(rt.containerId).kill();
    const err = await outcome;
    expect(isRuntimeError(err, 'runtime-crashed')).toBe(true);
    expect((err as Error).message).toMatch(/ollama: the container exited with code 137/);
    await waitFor(() => rt.state === 'ready', 15_000);
    const ok = await runtime.complete({ model: 'fake', prompt: 'hello again' });
    expect(ok.text).toBe('hello again');
    await runtime.close();
  });

  it('gives up after too many consecutive failed restarts and says so', async () => {
    const crashes: CrashReport[] = [];
    const m = newManager(node('giveup'), {
      onCrash: (r) => crashes.push(r),
      restart: { initialMs: 50, maxAttempts: 0 },
    });
    const rt = await m.startRuntime({ kind: 'ollama', image });
    await docker.getContainer(rt.containerId).kill();
    await waitFor(() => rt.state === 'failed');
    expect(crashes[0]?.willRestart).toBe(false);
    await expect(m.acquire('ollama')).rejects.toMatchObject({ code: 'unavailable' });
    // As a Runtime: refused at once as unavailable (retryable elsewhere), not hung.
    const runtime = new ContainerRuntime({ manager: m, runtime: 'ollama' });
    await expect(runtime.complete({ model: 'fake', prompt: 'x' })).rejects.toMatchObject({
      code: 'runtime-unavailable',
      message: 'ollama is down: it kept crashing and the agent gave up restarting it',
    });
  });

  it('adopts the running container after an agent restart instead of starting a duplicate', async () => {
    const nodeId = node('adopt');
    const first = newManager(nodeId, { keepOnShutdown: true });
    const rt = await first.startRuntime({ kind: 'ollama', image });
    const vllm = await first.startRuntime({ kind: 'vllm', image, model: 'm', gpus: 0 });
    await first.stop(vllm.name); // exited: removed by the next agent
    await first.shutdown(); // "agent restart", keeping the containers
    expect((await docker.getContainer(rt.containerId).inspect()).State.Running).toBe(true);

    const crashes: CrashReport[] = [];
    const second = newManager(nodeId, { onCrash: (r) => crashes.push(r) });
    const adopted = await second.adopt();
    expect(adopted.map((a) => [a.name, a.containerId, a.adopted, a.state])).toEqual([
      ['ollama', rt.containerId, true, 'ready'],
    ]);
    expect(second.get(vllm.name)).toBeUndefined();
    await expect(docker.getContainer(vllm.containerId).inspect()).rejects.toMatchObject({ statusCode: 404 });

    // The configured spec starts nothing new: the adopted container is reused.
    const again = await second.startRuntime({ kind: 'ollama', image });
    expect(again.containerId).toBe(rt.containerId);
    expect((await containersOf(nodeId)).map((c) => c.Id)).toEqual([rt.containerId]);

    // And it is watched like its own: a crash is seen and repaired.
    await docker.getContainer(rt.containerId).kill();
    await waitFor(() => crashes.length === 1);
    expect(crashes[0]?.runtime).toBe('ollama');
    await waitFor(() => again.state === 'ready' && again.restarts === 1, 15_000);

    // A shutdown without keepOnShutdown stops and removes it.
    await second.shutdown();
    expect(await containersOf(nodeId)).toEqual([]);
  });

  it('does not adopt another node’s containers', async () => {
    const a = node('mine');
    const b = node('theirs');
    const rt = await newManager(a, { keepOnShutdown: true }).startRuntime({ kind: 'ollama', image });
    expect(await newManager(b).adopt()).toEqual([]);
    expect((await docker.getContainer(rt.containerId).inspect()).State.Running).toBe(true);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}
