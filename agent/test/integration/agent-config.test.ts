/**
 * `orchion agent --config FILE` end to end: a real orchestrator, an external Ollama-compatible server (the Orchion
 * model server as a child process, with the tiny model) and an agent process whose config file lists the
 * embedded runtime and that server. The node shows the models of both runtimes; a step with `runtime: ollama`
 * runs through the external server. An invalid config file stops the agent with FILE:LINE:COL lines, exit 1.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobView } from '@orchion/api';
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
import {
  removeDir,
  startServerProcess,
  tinyModelsDir,
  TINY,
  type ServerProcess,
} from '../support/model-server-process';

const PIPELINE = `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: two-runtimes }
defaults: { model: ${TINY}, options: { max_tokens: 6, temperature: 0 } }
steps:
  - id: external
    runtime: ollama
    prompt: "Say hi"
  - id: local
    runtime: embedded
    prompt: "Say hi"
`;

describe('an agent configured by file', () => {
  const dirs: string[] = [];
  const procs: Proc[] = [];
  let orch: OrchestratorProc;
  let server: ServerProcess;
  let serverModels: string;
  let agentDir: string;
  let nodeId: string;

  const agentProc = (args: string[]): Proc => {
    const p = runCli(['agent', ...args, '--log-format', 'json']);
    procs.push(p);
    return p;
  };

  beforeAll(async () => {
    serverModels = await tinyModelsDir();
    server = await startServerProcess({ modelsDir: serverModels });
    const orchDir = tempDir();
    dirs.push(orchDir);
    orch = await startOrchestratorProc({
      dataDir: orchDir,
      httpPort: await freePort(),
      grpcPort: await freePort(),
    });
    procs.push(orch);

    agentDir = tempDir('orchion-agent-');
    dirs.push(agentDir);
    const configDir = join(agentDir, 'conf');
    mkdirSync(configDir);
    const config = join(configDir, 'agent.yaml');
    writeFileSync(
      config,
      `apiVersion: orchion/v1
kind: AgentConfig
orchestrator: ${orch.grpcAddress}
labels: { zone: lab }
slots: 2
runtimes:
  - type: embedded
    modelsDir: models   # relative to this file
  - type: ollama
    url: ${server.url}
    keepAlive: 1m
`,
    );
    agentProc([
      '--config',
      config,
      '--join-token',
      orch.joinToken,
      '--data-dir',
      agentDir,
      '--heartbeat-interval',
      '1s',
      '--capability-interval',
      '1s',
      '--label',
      'rack=7',
    ]);
    nodeId = await waitFor('the agent’s node id', () => {
      try {
        return readFileSync(join(agentDir, 'node-id'), 'utf8').trim() || undefined;
      } catch {
        return undefined;
      }
    });
    await waitFor(
      'the node ready with the models of both runtimes',
      async () => {
        const n = await orch.client.getNode(nodeId);
        return n.state === 'ready' && n.models.length >= 2 ? n : undefined;
      },
      30_000,
    );
  }, 90_000);

  afterAll(async () => {
    cleanup(procs, dirs);
    await server?.stop();
    if (serverModels) await removeDir(serverModels);
  });

  it('GET /api/v1/nodes/:id lists both runtimes and their models, the file’s labels and slots', async () => {
    const n = await orch.client.getNode(nodeId);
    expect(n.runtimes).toEqual(['embedded', 'ollama']);
    expect(n.models.map((m) => [m.runtime, m.name]).sort()).toEqual([
      ['embedded', TINY],
      ['ollama', TINY],
    ]);
    expect(n.models.every((m) => m.error === '')).toBe(true);
    expect(n.labels).toEqual({ zone: 'lab', rack: '7' });
    expect(n.slots).toBe(2);
    // The embedded runtime's models dir is relative to the config file.
    expect(readFileSync(join(agentDir, 'conf', 'models', `${TINY}.gguf`)).length).toBeGreaterThan(0);
  });

  it('runs a step with runtime: ollama through the external server, and one on the embedded runtime', async () => {
    const before = (await (await fetch(`${server.url}/api/ps`)).json()) as { models: unknown[] };
    expect(before.models).toEqual([]);
    const job = await orch.client.submitJob({ pipeline: PIPELINE, inputs: {} });
    const done = await waitFor(
      'the job to finish',
      async () => {
        const j: JobView = await orch.client.getJob(job.id);
        return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
      },
      60_000,
      100,
    );
    expect(done.state, JSON.stringify(done.stepDetails.map((s) => [s.id, s.error]))).toBe('succeeded');
    for (const step of done.stepDetails) {
      expect(typeof step.output).toBe('string');
      expect(step.attempts.map((a) => a.nodeId)).toEqual([nodeId]);
    }
    expect(done.stepDetails.find((s) => s.id === 'external')!.runtime).toBe('ollama');
    // The external server loaded the model to answer (kept for the config's keepAlive).
    const after = (await (await fetch(`${server.url}/api/ps`)).json()) as { models: { name: string }[] };
    expect(after.models.map((m) => m.name)).toEqual([`${TINY}:latest`]);
  });

  it('an invalid config file: FILE:LINE:COL lines on stderr, exit 1, nothing started', async () => {
    const dir = tempDir('orchion-agent-bad-');
    dirs.push(dir);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      `apiVersion: orchion/v1
kind: AgentConfig
slots: 0
runtimes:
  - type: ollama
    pull: [llama3.2:1b]
`,
    );
    const p = agentProc(['--config', bad, '--join-token', orch.joinToken, '--data-dir', dir]);
    expect(await p.exited).toBe(1);
    const lines = p.output().trim().split('\n');
    expect(lines).toEqual([
      `${bad}:3:8: error: "slots" must be at least 1, got 0 [schema-range]`,
      `${bad}:5:5: error: runtime "ollama" needs "url" (an Ollama server that runs already) or "managed: true" (a container this agent starts) [schema-required]`,
      `${bad}:6:5: error: "pull" applies only to a managed runtime: add "managed: true" to runtime "ollama", or remove "pull" [runtime-mode]`,
    ]);
  });
});
