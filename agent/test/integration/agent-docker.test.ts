/**
 * Managed runtimes end to end on the real Docker Engine: a real orchestrator and an agent process whose config
 * file lists the echo runtime and a managed `ollama` runtime whose image is the test model-server image (real
 * llama.cpp, the tiny model written at start). The node shows the container's models; a `runtime: box` step
 * runs through the container; `docker kill` mid-step fails the attempt as runtime-crashed, the orchestrator
 * retries it and the manager restarts the container; an agent stopped with keepContainersOnExit leaves the
 * container running and the next start adopts it (one container, same id). Without an engine (DOCKER_HOST at a
 * missing socket) the agent registers with its other runtimes and logs why Docker is unavailable. The engine
 * (version, or why not) is part of the node's capabilities and of `orchion node ID`; an image pulled from the
 * loopback registry shows its progress in the node log (GET /api/v1/nodes/:id/logs and `orchion node logs`).
 * Needs scripts/docker-engine.sh (agent/test/support/engine.ts) and a build.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobView, NodeLogEntry } from '@orchion/api';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  cli,
  freePort,
  runCli,
  startOrchestratorProc,
  tempDir,
  waitFor,
  type OrchestratorProc,
  type Proc,
} from '../../../orchestrator/test/integration/harness';
import { removeNodeContainers, testEngine } from '../support/engine';
import { buildImage } from '../support/image-builder';
import { hasModelServer, modelServerImage } from '../support/images';

const TINY = 'orchion-tiny';
const engine = await testEngine();
if (engine.info.available && !hasModelServer()) {
  const why = 'model-server/dist/server.js is missing (run npm run build)';
  if (process.env.CI) throw new Error(`CI is set and ${why}`);
  console.warn(`SKIPPING the managed-runtime agent test: ${why}`);
}

const agentConfig = (orchestrator: string, image: string, cache: string, keep: boolean): string =>
  `apiVersion: orchion/v1
kind: AgentConfig
orchestrator: ${orchestrator}
slots: 2
runtimes:
  - type: echo
  - type: ollama
    name: box
    managed: true
    image: ${image}
    cachePath: ${cache}
    gpu: false
    healthTimeout: 2m
    env:
      ORCHION_MODEL_SERVER_TINY_MODEL: '1'
      ORCHION_MODEL_SERVER_GPU: 'false'
      ORCHION_MODEL_SERVER_THREADS: '1'
docker: { keepContainersOnExit: ${keep} }
`;

const pipeline = (name: string, maxTokens: number, retries: number): string =>
  `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: ${name} }
defaults: { model: ${TINY}, options: { max_tokens: ${maxTokens}, temperature: 0 } }
steps:
  - id: gen
    runtime: box
    prompt: "Once upon a time"
    retries: ${retries}
`;

const finished = (j: JobView) => ['succeeded', 'failed', 'cancelled'].includes(j.state);

describe('an agent with managed runtimes', () => {
  const dirs: string[] = [];
  const procs: Proc[] = [];
  let orch: OrchestratorProc;

  const agentProc = (args: string[], env: Record<string, string> = {}): Proc => {
    const p = runCli(['agent', ...args, '--log-format', 'json'], env);
    procs.push(p);
    return p;
  };
  const agentArgs = (config: string, dataDir: string) => [
    '--config',
    config,
    '--join-token',
    orch.joinToken,
    '--data-dir',
    dataDir,
    '--heartbeat-interval',
    '1s',
    '--capability-interval',
    '1s',
  ];
  const nodeIdOf = (dataDir: string): Promise<string> =>
    waitFor('the agent’s node id', () => {
      try {
        return readFileSync(join(dataDir, 'node-id'), 'utf8').trim() || undefined;
      } catch {
        return undefined;
      }
    });

  beforeAll(async () => {
    const orchDir = tempDir();
    dirs.push(orchDir);
    orch = await startOrchestratorProc({
      dataDir: orchDir,
      httpPort: await freePort(),
      grpcPort: await freePort(),
    });
    procs.push(orch);
  }, 60_000);

  afterAll(() => cleanup(procs, dirs));

  it('without a Docker Engine: registers with its other runtimes and logs why Docker is unavailable', async () => {
    const dir = tempDir('orchion-agent-nodocker-');
    dirs.push(dir);
    const config = join(dir, 'agent.yaml');
    writeFileSync(config, agentConfig(orch.grpcAddress, 'orchion-test/none:1', join(dir, 'cache'), false));
    const missing = join(dir, 'no-such', 'docker.sock');
    const p = agentProc(agentArgs(config, dir), { DOCKER_HOST: `unix://${missing}` });
    const nodeId = await nodeIdOf(dir);
    const node = await waitFor(
      'the node ready with echo',
      async () => {
        const n = await orch.client.getNode(nodeId).catch(() => undefined);
        return n?.state === 'ready' && n.models.length > 0 ? n : undefined;
      },
      30_000,
    );
    expect(node.runtimes).toEqual(['echo']);
    expect(node.models.map((m) => [m.runtime, m.name])).toEqual([['echo', 'echo']]);
    expect(node.capabilities.containerEngine).toMatchObject({
      available: false,
      version: '',
      endpoint: `unix://${missing}`,
    });
    expect(node.capabilities.containerEngine!.error).toContain(missing);
    const shown = await cli(['node', nodeId, '--url', orch.httpUrl, '--token', orch.adminToken]);
    expect(shown.output).toContain(`Docker    unavailable at unix://${missing}: no Docker Engine socket`);
    const log: NodeLogEntry[] = [];
    await waitFor('the line in the node log', async () => {
      log.length = 0;
      await orch.client.streamNodeLogs(nodeId, (e) => log.push(e));
      return log.length > 0 || undefined;
    });
    expect(log.map((e) => [e.level, e.source, e.text.slice(0, 46)])).toEqual([
      ['warn', 'docker', 'Docker is unavailable: no Docker Engine socket'],
    ]);
    const lines = p
      .output()
      .split('\n')
      .filter((l) => l.includes('Docker is unavailable'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(missing);
    p.kill();
    expect(await p.exited).toBe(0);
  }, 60_000);

  describe.skipIf(!engine.info.available || !hasModelServer())('on the real engine', () => {
    const { docker } = engine;
    let cache: string;
    let dataDir: string;
    let config: string;
    let nodeId: string;
    let agent: Proc;
    let image: string;

    const containers = async (all = true) =>
      docker.listContainers({
        all,
        filters: { label: [`orchion.node=${nodeId}`, 'orchion.runtime=box'] },
      });
    const waitModels = () =>
      waitFor(
        'the node ready with the container’s models',
        async () => {
          const n = await orch.client.getNode(nodeId);
          return n.state === 'ready' && n.models.some((m) => m.runtime === 'box') ? n : undefined;
        },
        120_000,
      );
    const runJob = async (yaml: string, onRunning?: () => Promise<void>): Promise<JobView> => {
      const job = await orch.client.submitJob({ pipeline: yaml, inputs: {} });
      if (onRunning) {
        await waitFor(
          'the step running',
          async () => {
            const j = await orch.client.getJob(job.id);
            return j.stepDetails[0]!.attempts.some((a) => a.state === 'running') || finished(j)
              ? j
              : undefined;
          },
          60_000,
          20,
        );
        await onRunning();
      }
      return waitFor(
        'the job to finish',
        async () => {
          const j = await orch.client.getJob(job.id);
          return finished(j) ? j : undefined;
        },
        120_000,
        100,
      );
    };

    beforeAll(async () => {
      image = (await modelServerImage(docker)).tag;
      cache = mkdtempSync(join(tmpdir(), 'orchion-agent-docker-cache-'));
      dataDir = tempDir('orchion-agent-docker-');
      dirs.push(dataDir);
      config = join(dataDir, 'agent.yaml');
      writeFileSync(config, agentConfig(orch.grpcAddress, image, cache, true));
      agent = agentProc(agentArgs(config, dataDir));
      nodeId = await nodeIdOf(dataDir);
      await waitModels();
    }, 240_000);

    afterAll(async () => {
      agent?.kill();
      await agent?.exited;
      if (nodeId) await removeNodeContainers(docker, nodeId);
      if (cache) rmSync(cache, { recursive: true, force: true });
    });

    it('the node shows the container runtime and its models; the engine is logged', async () => {
      const n = await orch.client.getNode(nodeId);
      expect(n.runtimes).toEqual(['echo', 'box']);
      expect(n.models.map((m) => [m.runtime, m.name]).sort()).toEqual([
        ['box', TINY],
        ['echo', 'echo'],
      ]);
      expect(agent.output()).toMatch(/Docker Engine \S+ at /);
      expect(await containers()).toHaveLength(1);
    });

    it('the engine is a node capability, shown by `orchion node ID`; its setup lines are in the node log', async () => {
      const info = engine.info;
      if (!info.available) throw new Error('unreachable');
      const n = await orch.client.getNode(nodeId);
      expect(n.capabilities.containerEngine).toEqual({
        available: true,
        version: info.version,
        apiVersion: info.apiVersion,
        endpoint: `unix://${info.endpoint}`,
        error: '',
      });
      const shown = await cli(['node', nodeId, '--url', orch.httpUrl, '--token', orch.adminToken]);
      expect(shown.code).toBe(0);
      expect(shown.output).toContain(
        `Docker    ${info.version} (API ${info.apiVersion}) at unix://${info.endpoint}`,
      );
      const log: NodeLogEntry[] = [];
      await orch.client.streamNodeLogs(nodeId, (e) => log.push(e));
      expect(
        log.some(
          (e) => e.source === 'docker' && e.text === `Docker Engine ${info.version} at ${info.endpoint}`,
        ),
      ).toBe(true);
      expect(log.some((e) => e.source === 'docker' && e.text === 'box is ready')).toBe(true);
      // The model server's own output, read from the container.
      expect(log.some((e) => e.source === 'container:box')).toBe(true);
    });

    it('a runtime: box step runs through the container', async () => {
      const started = Date.now();
      const done = await runJob(pipeline('box-step', 64, 0));
      const step = done.stepDetails[0]!;
      expect(done.state, JSON.stringify(step.attempts)).toBe('succeeded');
      expect(step.runtime).toBe('box');
      expect(typeof step.output).toBe('string');
      expect(step.attempts.map((a) => a.nodeId)).toEqual([nodeId]);
      console.log(`64 tokens through the container in ${Date.now() - started} ms`);
    });

    it('docker kill mid-step: the attempt fails as runtime-crashed, is retried, the container restarts', async () => {
      const [before] = await containers(false);
      expect(before).toBeDefined();
      const done = await runJob(pipeline('box-crash', 4000, 2), async () => {
        await new Promise((r) => setTimeout(r, 150));
        await docker.getContainer(before!.Id).kill();
      });
      const step = done.stepDetails[0]!;
      expect(done.state, JSON.stringify(step.attempts)).toBe('succeeded');
      expect(step.attempts.length).toBeGreaterThanOrEqual(2);
      expect(step.attempts[0]!.errorCode).toBe('runtime-crashed');
      expect(agent.output()).toContain('managed runtime box crashed');
      expect(agent.output()).toContain('its running tasks fail as runtime-crashed and it is restarted');
      const running = await containers(false);
      expect(running).toHaveLength(1);
      expect((await containers()).length).toBe(1);
      await waitModels();
    }, 180_000);

    it('restarted with keepContainersOnExit: the running container is adopted, not duplicated', async () => {
      const [before] = await containers(false);
      expect(before).toBeDefined();
      agent.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
      const kept = await containers(false);
      expect(kept.map((c) => c.Id)).toEqual([before!.Id]);

      agent = agentProc(agentArgs(config, dataDir));
      await waitFor(
        'the agent to adopt the container',
        () => (agent.output().includes('adopted 1 running managed container') ? true : undefined),
        60_000,
      );
      await waitModels();
      const after = await containers();
      expect(after.map((c) => c.Id)).toEqual([before!.Id]);
      expect(after[0]!.State).toBe('running');
      const done = await runJob(pipeline('box-adopted', 16, 0));
      expect(done.state).toBe('succeeded');
    }, 180_000);

    it('without keepContainersOnExit: the agent stops and removes its container when it stops', async () => {
      writeFileSync(config, agentConfig(orch.grpcAddress, image, cache, false));
      agent.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
      const [kept] = await containers(false);
      expect(kept).toBeDefined();
      // Same configuration (keepContainersOnExit is the agent's, not the container's): adopted again.
      agent = agentProc(agentArgs(config, dataDir));
      await waitFor(
        'the agent to adopt the container',
        () => (agent.output().includes('adopted 1 running managed container') ? true : undefined),
        60_000,
      );
      await waitModels();
      expect((await containers()).map((c) => c.Id)).toEqual([kept!.Id]);
      agent.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
      expect(await containers()).toEqual([]);
    }, 180_000);
  });
  describe.skipIf(!engine.info.available || !engine.registry)('an image pulled from a registry', () => {
    const { docker, registry } = engine;
    const remote = `${registry}/orchion-test/agent-pull-${process.pid}:v1`;
    let local: string | undefined;

    afterAll(async () => {
      for (const ref of [remote, local]) {
        if (ref)
          await docker
            .getImage(ref)
            .remove({ force: true })
            .catch(() => undefined);
      }
    });

    it('logs the pull progress to the node log; a container that cannot start leaves the agent running', async () => {
      const dir = tempDir('orchion-agent-pull-');
      dirs.push(dir);
      // An image of its own (unique content: other tests' images stay untouched), without a server in it.
      // 8 MiB of random bytes: a layer big enough for Docker to report download progress.
      const id = join(dir, 'id.bin');
      writeFileSync(id, randomBytes(8 * 1024 * 1024));
      local = (
        await buildImage(docker, {
          name: 'agent-pull',
          files: [{ from: id, to: '/data/id.bin' }],
          entrypoint: ['/none'],
        })
      ).tag;
      const [repo, version] = remote.split(/:(?=[^:/]+$)/) as [string, string];
      await docker.getImage(local).tag({ repo, tag: version });
      await follow(docker, await docker.getImage(remote).push({}, undefined, { serveraddress: registry! }));
      await docker.getImage(remote).remove({ force: true });
      await docker.getImage(local).remove({ force: true });

      const config = join(dir, 'agent.yaml');
      writeFileSync(config, agentConfig(orch.grpcAddress, remote, join(dir, 'cache'), false));
      const p = agentProc(agentArgs(config, dir));
      const nodeId = await nodeIdOf(dir);
      await waitFor(
        'the container to fail',
        () => (p.output().includes('managed runtime box could not start') ? true : undefined),
        60_000,
      );
      const pulls = p
        .output()
        .split('\n')
        .filter((l) => l.includes(`pulling ${remote}`));
      expect(pulls.some((l) => l.includes('Pull complete'))).toBe(true);
      expect(pulls.some((l) => l.includes('Downloaded newer image'))).toBe(true);
      const node = await waitFor('the node ready', async () => {
        const n = await orch.client.getNode(nodeId).catch(() => undefined);
        return n?.state === 'ready' && n.models.length > 0 ? n : undefined;
      });
      expect(node.models.map((m) => [m.runtime, m.name])).toEqual([['echo', 'echo']]);

      // The pull progress reached the orchestrator's node log ...
      const log: NodeLogEntry[] = [];
      await waitFor('the failure in the node log', async () => {
        log.length = 0;
        await orch.client.streamNodeLogs(nodeId, (e) => log.push(e));
        return log.some((e) => e.level === 'error' && e.text.includes('could not start')) || undefined;
      });
      const progress = log.filter((e) => e.progress?.subject === remote).map((e) => e.progress!);
      expect(progress.length).toBeGreaterThan(0);
      const done = progress.filter((x) => x.done);
      expect(done).toHaveLength(1);
      expect(done[0]!.status).toBe(`Status: Downloaded newer image for ${remote}`);
      expect(done[0]!.total).toBeGreaterThan(8 * 1024 * 1024);
      expect(done[0]!.completed).toBe(done[0]!.total);
      expect(progress.at(-1)!.done).toBe(true);
      expect(progress.every((x) => x.completed <= x.total)).toBe(true);
      console.log(
        `pull progress in the node log: ${progress.length} report(s): ` +
          progress.map((x) => `${x.completed}/${x.total}${x.done ? ' done' : ''}`).join(', '),
      );
      // ... and `orchion node logs` renders it (not a TTY here: percentage lines).
      const shown = await cli(['node', 'logs', nodeId, '--url', orch.httpUrl, '--token', orch.adminToken]);
      expect(shown.code, shown.output).toBe(0);
      const pullLines = shown.output.split('\n').filter((l) => l.includes(`pull ${remote}:`));
      expect(pullLines.length).toBeGreaterThan(0);
      expect(pullLines.at(-1)).toContain(`: 100% `);
      expect(pullLines.at(-1)).toMatch(/ MiB \/ [\d.]+ MiB Status: Downloaded newer image for /);
      expect(shown.output).toMatch(/\[docker\] ERROR managed runtime box could not start/);
      expect(shown.output).not.toContain('\r');
      p.kill();
      expect(await p.exited).toBe(0);
      await removeNodeContainers(docker, nodeId);
    }, 120_000);
  });
});

function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: unknown) => (err || failure ? reject(new Error(failure ?? String(err))) : resolve()),
      (e: { error?: string }) => (failure ??= e.error),
    );
  });
}
