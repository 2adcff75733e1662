/**
 * The engine's presence and GPU checks. Without an engine (DOCKER_HOST at a missing socket) the manager says why
 * and nothing throws out of it. GPU requests on a node without GPUs fail before Docker is asked; when the agent
 * detects GPUs the request reaches Docker as DeviceRequests (on this GPU-less engine, start then fails with the
 * engine's reason, and the container is not left behind). The engine-backed cases need scripts/docker-engine.sh
 * (see agent/test/support/engine.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerRuntimeManager, LABEL } from '../../src/runtimes/docker/index';
import { removeNodeContainers, testEngine, uniqueNodeId } from '../support/engine';
import { fakeServerImage } from '../support/images';

describe('without a Docker Engine', () => {
  const socket = join(mkdtempSync(join(tmpdir(), 'orchion-nodocker-')), 'docker.sock');
  const manager = new DockerRuntimeManager({
    nodeId: 'no-engine',
    dockerHost: `unix://${socket}`,
    detectGpus: async () => 0,
  });

  it('engineInfo says why, and nothing throws', async () => {
    const info = await manager.engineInfo();
    expect(info).toEqual({
      available: false,
      endpoint: socket,
      reason: `no Docker Engine socket at ${socket} (set DOCKER_HOST or start the engine)`,
    });
    expect(await manager.adopt()).toEqual([]);
    await expect(manager.startRuntime({ kind: 'ollama', image: 'x' })).rejects.toMatchObject({
      code: 'engine-unavailable',
      message: info.available ? '' : info.reason,
    });
    await expect(manager.ensureImage('x')).rejects.toMatchObject({ code: 'engine-unavailable' });
    await manager.shutdown();
  });

  it('refuses GPUs on a node without GPUs before asking Docker', async () => {
    const m = new DockerRuntimeManager({
      nodeId: 'no-gpu',
      dockerHost: `unix://${socket}`,
      detectGpus: async () => 0,
    });
    await expect(m.startRuntime({ kind: 'vllm', model: 'org/model' })).rejects.toMatchObject({
      code: 'gpu-unavailable',
      message:
        'vllm-org/model: 1 GPU(s) requested but this node has no NVIDIA GPU (detected by the agent); the container ' +
        'was not created. Set gpus to 0 or "auto" to run on the CPU.',
    });
    await m.shutdown();
  });
});

const engine = await testEngine();

describe.skipIf(!engine.info.available)('with a Docker Engine', () => {
  const { docker } = engine;
  const nodeId = uniqueNodeId('gpu');
  const managers: DockerRuntimeManager[] = [];

  afterAll(async () => {
    await Promise.allSettled(managers.map((m) => m.shutdown()));
    await removeNodeContainers(docker, nodeId);
  });

  it('engineInfo reports the engine', async () => {
    const m = new DockerRuntimeManager({ nodeId });
    managers.push(m);
    const info = await m.engineInfo();
    expect(info).toMatchObject({ available: true, os: 'linux' });
    expect(info.available && info.version).toMatch(/^\d+\.\d+/);
    expect(info.available && info.runtimes).toContain('runc');
  });

  it('refuses GPUs on a node without GPUs: no container is created', async () => {
    const { tag } = await fakeServerImage(docker);
    const m = new DockerRuntimeManager({ nodeId, detectGpus: async () => 0 });
    managers.push(m);
    await expect(m.startRuntime({ kind: 'ollama', image: tag, gpus: 'all' })).rejects.toMatchObject({
      code: 'gpu-unavailable',
      message: expect.stringContaining('all GPUs requested but this node has no NVIDIA GPU'),
    });
    await expect(m.startRuntime({ kind: 'vllm', image: tag, model: 'm', gpus: 2 })).rejects.toMatchObject({
      code: 'gpu-unavailable',
    });
    expect(
      await docker.listContainers({ all: true, filters: { label: [`${LABEL.node}=${nodeId}`] } }),
    ).toEqual([]);
    // 'auto' on a GPU-less node runs on the CPU.
    const rt = await m.startRuntime({ kind: 'ollama', image: tag });
    expect((await docker.getContainer(rt.containerId).inspect()).HostConfig.DeviceRequests ?? []).toEqual([]);
    await m.remove(rt.name);
  });

  it('passes GPUs the agent detected to Docker as DeviceRequests', async () => {
    const { tag } = await fakeServerImage(docker);
    const m = new DockerRuntimeManager({ nodeId, detectGpus: async () => 2 });
    managers.push(m);
    const created: string[] = [];
    const events = await docker.getEvents({
      filters: { type: ['container'], event: ['create'], label: [`${LABEL.node}=${nodeId}`] },
    });
    events.on('data', (d: Buffer) => created.push(...d.toString().trim().split('\n')));
    const err = await m
      .startRuntime({ kind: 'vllm', image: tag, model: 'm', gpus: 2 })
      .catch((e: Error & { code: string }) => e);
    (events as unknown as { destroy(): void }).destroy();
    // This engine has no GPU runtime: Docker accepted the request at create and refused it at start.
    expect(err).toMatchObject({
      code: 'start-failed',
      message: expect.stringMatching(/could not select device driver .* capabilities: \[\[gpu\]\]/),
    });
    expect(created.length).toBe(1);
    const id = (JSON.parse(created[0]!) as { id: string }).id;
    await expect(docker.getContainer(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
