// A real Orchion cluster for the extension's host and UI tests: the built orchestrator and one agent (embedded
// llama.cpp with the generated tiny model, plus the echo runtime with a per-token delay for slow and failing
// steps), through the orchestrator's integration harness; and a workspace folder with pipeline files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OrchionClient } from '@orchion/api';
import { writeTinyModel } from '../../../agent/src/models/tiny-model';
import {
  cleanup,
  freePort,
  startAgentProc,
  startOrchestratorProc,
  tempDir,
  waitFor,
  type Proc,
} from '../../../orchestrator/test/integration/harness';

export { waitFor };

/**
 * The pipeline files of the test workspace (ORCHION_TEST_WORKSPACE), by file name:
 * - `hello.orchion.yaml` succeeds on the embedded tiny model (one completion step, an input with a default);
 * - `failing.orchion.yaml` fails: its echo step (200 tokens at 20 ms each) has a 300 ms timeout;
 * - `slow.orchion.yaml` runs for about a minute (3,000 echo tokens at 20 ms) — something to cancel.
 */
export const PIPELINES: Record<string, string> = {
  'hello.orchion.yaml': `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: hello }
inputs:
  name: { type: string, default: Ada, description: Who to greet }
defaults: { model: orchion-tiny, options: { temperature: 0 } }
steps:
  - id: greet
    prompt: "Say hello to \${{ inputs.name }}"
    options: { max_tokens: 24 }
outputs: { greeting: "\${{ steps.greet.output }}" }
`,
  'failing.orchion.yaml': `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: failing }
defaults: { model: echo, runtime: echo }
steps:
  - id: prepare
    prompt: "ready"
  - id: too-slow
    needs: [prepare]
    prompt: "${words(200)}"
    options: { max_tokens: 100000 }
    retries: 0
    timeout: 300ms
`,
  'slow.orchion.yaml': `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: slow }
defaults: { model: echo, runtime: echo }
steps:
  - id: long
    prompt: "${words(3000)}"
    options: { max_tokens: 100000 }
    retries: 0
`,
};

function words(n: number): string {
  return Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
}

export interface Cluster {
  url: string;
  token: string;
  client: OrchionClient;
  nodeId: string;
  /** The agent's node as the API lists it once ready with the tiny model. */
  hostname: string;
  /** A temp folder holding PIPELINES (the workspace the tests open). */
  workspace: string;
  /** The end of the orchestrator's and agent's output, for failure messages. */
  output(maxChars?: number): string;
  stop(): void;
}

export async function startCluster(): Promise<Cluster> {
  const procs: Proc[] = [];
  const dirs: string[] = [];
  try {
    const dataDir = tempDir('orchion-ext-orch-');
    dirs.push(dataDir);
    const orch = await startOrchestratorProc({
      dataDir,
      httpPort: await freePort(),
      grpcPort: await freePort(),
    });
    procs.push(orch);
    const agentDir = tempDir('orchion-ext-agent-');
    dirs.push(agentDir);
    mkdirSync(join(agentDir, 'models'), { recursive: true });
    await writeTinyModel(join(agentDir, 'models', 'orchion-tiny.gguf'));
    procs.push(
      startAgentProc({
        orchestrator: orch.grpcAddress,
        joinToken: orch.joinToken,
        dataDir: agentDir,
        heartbeat: '1s',
        extra: ['--runtime', 'embedded', '--runtime', 'echo', '--slots', '2', '--echo-token-delay', '20ms'],
      }),
    );
    const nodeId = await waitFor('the agent node id', () => {
      try {
        return readFileSync(join(agentDir, 'node-id'), 'utf8').trim() || undefined;
      } catch {
        return undefined;
      }
    });
    const node = await waitFor(
      'the agent ready with orchion-tiny',
      async () => {
        const n = await orch.client.getNode(nodeId);
        return n.state === 'ready' && n.models.some((m) => m.name === 'orchion-tiny') ? n : undefined;
      },
      30_000,
    );
    const workspace = tempDir('orchion-ext-ws-');
    dirs.push(workspace);
    for (const [file, text] of Object.entries(PIPELINES)) writeFileSync(join(workspace, file), text);
    return {
      url: orch.httpUrl,
      token: orch.adminToken,
      client: orch.client,
      nodeId,
      hostname: node.hostname,
      workspace,
      output: (maxChars = 20_000) =>
        procs
          .map((p, i) => `--- ${i === 0 ? 'orchestrator' : 'agent'}\n${p.output().slice(-maxChars)}`)
          .join('\n'),
      stop: () => cleanup(procs, dirs),
    };
  } catch (err) {
    const out = procs.map((p) => p.output()).join('\n');
    cleanup(procs, dirs);
    throw new Error(`${(err as Error).message}\n--- cluster output\n${out}`);
  }
}
