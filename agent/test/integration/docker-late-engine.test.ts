/**
 * A Docker Engine that comes up after the agent started, on the real engine: the agent's DOCKER_HOST points at a
 * unix socket path where nothing listens yet, so it runs with its other runtimes and says why Docker is
 * unavailable (one line). Then a small unix-socket relay starts at that path and forwards every connection to the
 * real engine's socket (a byte pipe, not a fake engine): the agent, probing with backoff, notices the engine,
 * starts the managed runtime (the locally built model-server image), its model appears in GET /api/v1/nodes/:id,
 * and a pipeline step runs on it. Closing the relay (the engine going away while running) logs one line; opening
 * it again logs the engine once more. Needs scripts/docker-engine.sh (agent/test/support/engine.ts) and a build.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobView, NodeLogEntry } from '@orchion/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  freePort,
  runCli,
  startOrchestratorProc,
  tempDir,
  waitFor,
  type OrchestratorProc,
  type Proc,
} from '../../../orchestrator/test/integration/harness';
import { removeNodeContainers, testEngine } from '../support/engine';
import { hasModelServer, modelServerImage } from '../support/images';

const TINY = 'orchion-tiny';
const engine = await testEngine();
const ready = engine.info.available && hasModelServer();
if (engine.info.available && !hasModelServer()) {
  const why = 'model-server/dist/server.js is missing (run npm run build)';
  if (process.env.CI) throw new Error(`CI is set and ${why}`);
  console.warn(`SKIPPING the late-engine test: ${why}`);
}

/** A unix-socket relay at `path` to the real engine's socket: each connection is piped both ways. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(
    private readonly path: string,
    private readonly target: string,
  ) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      this.sockets.add(client).add(upstream);
      const done = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', done).on('close', done);
      upstream.on('error', done).on('close', done);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    this.server = server;
  }

  /** Stops listening (the socket file goes) and cuts every open connection: the engine is gone. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const agentConfig = (orchestrator: string, image: string, cache: string): string =>
  `apiVersion: orchion/v1
kind: AgentConfig
orchestrator: ${orchestrator}
slots: 2
runtimes:
  - type: echo
  - type: ollama
    name: late
    managed: true
    image: ${image}
    cachePath: ${cache}
    gpu: false
    healthTimeout: 2m
    env:
      ORCHION_MODEL_SERVER_TINY_MODEL: '1'
      ORCHION_MODEL_SERVER_GPU: 'false'
      ORCHION_MODEL_SERVER_THREADS: '1'
docker: { keepContainersOnExit: false }
`;

// The step names the late runtime: its name reaches the orchestrator in a capability update (it was not in the
// node's hello), so the step can be placed on it.
const pipeline = `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: late-engine }
defaults: { model: ${TINY}, options: { max_tokens: 16, temperature: 0 } }
steps:
  - id: gen
    runtime: late
    prompt: "Once upon a time"
`;

const finished = (j: JobView) => ['succeeded', 'failed', 'cancelled'].includes(j.state);

describe.skipIf(!ready)('a Docker Engine that appears after the agent started', () => {
  const dirs: string[] = [];
  const procs: Proc[] = [];
  let orch: OrchestratorProc;
  let agent: Proc;
  let relay: Relay;
  let sock: string;
  let nodeId: string;
  let cache: string;
  let image: string;

  const lines = (text: string) =>
    agent
      .output()
      .split('\n')
      .filter((l) => l.includes(text));
  const nodeLog = async (): Promise<NodeLogEntry[]> => {
    const log: NodeLogEntry[] = [];
    await orch.client.streamNodeLogs(nodeId, (e) => log.push(e));
    return log;
  };

  beforeAll(async () => {
    if (!engine.info.available) throw new Error('unreachable');
    image = (await modelServerImage(engine.docker)).tag;
    const orchDir = tempDir();
    dirs.push(orchDir);
    orch = await startOrchestratorProc({
      dataDir: orchDir,
      httpPort: await freePort(),
      grpcPort: await freePort(),
    });
    procs.push(orch);
    const dir = tempDir('orchion-agent-late-docker-');
    dirs.push(dir);
    cache = mkdtempSync(join(tmpdir(), 'orchion-late-docker-cache-'));
    const config = join(dir, 'agent.yaml');
    writeFileSync(config, agentConfig(orch.grpcAddress, image, cache));
    sock = join(dir, 'docker.sock');
    relay = new Relay(sock, engine.info.endpoint);
    agent = runCli(
      [
        'agent',
        '--config',
        config,
        '--join-token',
        orch.joinToken,
        '--data-dir',
        dir,
        '--heartbeat-interval',
        '1s',
        '--capability-interval',
        '1s',
        '--log-format',
        'json',
      ],
      { DOCKER_HOST: `unix://${sock}` },
    );
    procs.push(agent);
    nodeId = await waitFor('the agent’s node id', () => {
      try {
        return readFileSync(join(dir, 'node-id'), 'utf8').trim() || undefined;
      } catch {
        return undefined;
      }
    });
  }, 240_000);

  afterAll(async () => {
    await relay?.close();
    agent?.kill();
    await agent?.exited;
    if (nodeId) await removeNodeContainers(engine.docker, nodeId);
    if (cache) rmSync(cache, { recursive: true, force: true });
    cleanup(procs, dirs);
  });

  it('without the engine: runs its other runtimes and says why Docker is unavailable, once', async () => {
    const node = await waitFor(
      'the node ready with echo',
      async () => {
        const n = await orch.client.getNode(nodeId).catch(() => undefined);
        return n?.state === 'ready' && n.models.length > 0 ? n : undefined;
      },
      30_000,
    );
    expect(node.models.map((m) => [m.runtime, m.name])).toEqual([['echo', 'echo']]);
    expect(node.capabilities.containerEngine).toMatchObject({ available: false, endpoint: `unix://${sock}` });
    expect(node.capabilities.containerEngine!.error).toContain(sock);
    // Several probes later (1 s capability refreshes and the backoff), still one line.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(lines('Docker is unavailable')).toHaveLength(1);
    expect(lines('Docker is unavailable')[0]).toContain('start when it answers');
    const log = await nodeLog();
    expect(log.filter((e) => e.source === 'docker').map((e) => e.text.slice(0, 46))).toEqual([
      'Docker is unavailable: no Docker Engine socket',
    ]);
  }, 60_000);

  it('the relay opens: the managed runtime starts, its model is on the node, a step runs on it', async () => {
    if (!engine.info.available) throw new Error('unreachable');
    await relay.open();
    const node = await waitFor(
      'the container’s model on the node',
      async () => {
        const n = await orch.client.getNode(nodeId);
        return n.models.some((m) => m.runtime === 'late' && m.name === TINY) ? n : undefined;
      },
      180_000,
      250,
    );
    expect(node.capabilities.containerEngine).toMatchObject({
      available: true,
      version: engine.info.version,
      endpoint: `unix://${sock}`,
    });
    const running = await engine.docker.listContainers({
      filters: { label: [`orchion.node=${nodeId}`, 'orchion.runtime=late'] },
    });
    expect(running).toHaveLength(1);
    expect(lines(`Docker Engine ${engine.info.version} at ${sock}`)).toHaveLength(1);
    expect(lines('managed runtime late started')).toHaveLength(1);
    await waitFor(
      'the late runtime in the node’s runtimes',
      async () => ((await orch.client.getNode(nodeId)).runtimes.includes('late') ? true : undefined),
      30_000,
      250,
    );

    const job = await orch.client.submitJob({ pipeline, inputs: {} });
    const done = await waitFor(
      'the job to finish',
      async () => {
        const j = await orch.client.getJob(job.id);
        return finished(j) ? j : undefined;
      },
      120_000,
      100,
    );
    const step = done.stepDetails[0]!;
    expect(done.state, JSON.stringify(step.attempts)).toBe('succeeded');
    // The node serves orchion-tiny only through the container (echo serves 'echo'): the step ran there.
    expect(step.attempts.map((a) => a.nodeId)).toEqual([nodeId]);
    expect(typeof step.output).toBe('string');
  }, 240_000);

  it('the engine goes away while running and comes back: one line each way', async () => {
    if (!engine.info.available) throw new Error('unreachable');
    const { version } = engine.info;
    await relay.close();
    await waitFor('the engine unavailable', async () => {
      const n = await orch.client.getNode(nodeId);
      return n.capabilities.containerEngine?.available === false ? n : undefined;
    });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(lines('Docker became unavailable')).toHaveLength(1);
    await relay.open();
    await waitFor('the engine back', async () => {
      const n = await orch.client.getNode(nodeId);
      return n.capabilities.containerEngine?.available === true ? n : undefined;
    });
    await waitFor('the second engine line', () =>
      lines(`Docker Engine ${version} at ${sock}`).length === 2 ? true : undefined,
    );
    // The event stream broke once and came back: one warning, not one per failed reconnect.
    await waitFor('the event stream back', () =>
      lines('Docker event stream reconnected').length === 1 ? true : undefined,
    );
    expect(lines('Docker event stream broke')).toHaveLength(1);
    // The container kept running (the engine itself never stopped): no second container, models still listed.
    const all = await engine.docker.listContainers({
      all: true,
      filters: { label: [`orchion.node=${nodeId}`, 'orchion.runtime=late'] },
    });
    expect(all).toHaveLength(1);
    const n = await orch.client.getNode(nodeId);
    expect(n.models.some((m) => m.runtime === 'late' && m.name === TINY)).toBe(true);
    const texts = (await nodeLog()).filter((e) => e.source === 'docker').map((e) => e.text);
    expect(texts.filter((t) => t.startsWith('Docker became unavailable'))).toHaveLength(1);
  }, 120_000);
});
