/**
 * Live values against a real orchestrator and agent (processes from the orchestrator's integration harness):
 * completion lists the agent's models and runtimes, unknown models are warnings, and when the orchestrator goes
 * away completion says its list is incomplete and the warnings stop.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CompletionList } from 'vscode-languageserver/node';
import {
  cleanup,
  freePort,
  startAgentProc,
  startOrchestratorProc,
  tempDir,
  waitFor,
  type OrchestratorProc,
  type Proc,
} from '../../../orchestrator/test/integration/harness.js';
import { startSession, type Session } from '../unit/helpers/session.js';

describe('live models and runtimes from the orchestrator', () => {
  const procs: Proc[] = [];
  const dirs: string[] = [];
  let orch: OrchestratorProc;
  let session: Session;
  const uri = 'file:///w/live.orchion.yaml';
  const text = [
    'apiVersion: orchion/v1',
    'kind: Pipeline',
    'metadata: { name: live }',
    'steps:',
    '  - id: a',
    '    model: echo',
    '    runtime: echo',
    '    prompt: hi',
    '  - id: b',
    '    model: missing-model',
    '    prompt: hi',
    '',
  ].join('\n');

  beforeAll(async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    orch = await startOrchestratorProc({ dataDir, httpPort: await freePort(), grpcPort: await freePort() });
    procs.push(orch);
    const agentDir = tempDir('orchion-agent-');
    dirs.push(agentDir);
    procs.push(
      startAgentProc({
        orchestrator: orch.grpcAddress,
        joinToken: orch.joinToken,
        dataDir: agentDir,
        extra: ['--runtime', 'echo'],
      }),
    );
    await waitFor(
      'the agent',
      async () => (await orch.client.listNodes({ state: 'ready' })).nodes.length === 1,
    );
    // TTL 0: every read starts a refresh, so the test sees the orchestrator go away without waiting for a TTL.
    session = await startSession({
      orchestratorUrl: orch.httpUrl,
      token: orch.adminToken,
      liveValuesTtlMs: 0,
    });
  }, 60_000);

  afterAll(async () => {
    await session?.dispose();
    cleanup(procs, dirs);
  });

  const modelCompletion = async (): Promise<CompletionList> =>
    (await session.client.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: { line: 9, character: 11 },
    })) as CompletionList;

  test('completion and warnings from the live cluster, then offline', async () => {
    // The first fetch starts at `initialized`; the diagnostics of a later version see its answer.
    const opened = await session.open(uri, text);
    let diagnostics = opened.diagnostics;
    if (!diagnostics.some((d) => d.code === 'unknown-model'))
      diagnostics = (await session.nextDiagnostics(uri)).diagnostics;
    expect(diagnostics.map((d) => [d.code, d.range.start.line, d.message])).toEqual([
      ['unknown-model', 9, 'no node of the cluster serves model "missing-model" (available: echo)'],
    ]);

    const live = await modelCompletion();
    expect(live.isIncomplete).toBe(false);
    expect(live.items.map((i) => i.label)).toContain('echo');
    expect(live.items.find((i) => i.label === 'echo')!.detail).toMatch(/^echo on 1 node · loaded$/);

    // The orchestrator stops: the next refresh fails, diagnostics are republished without cluster warnings.
    const orchestrator = procs[0]!;
    orchestrator.kill('SIGKILL');
    await orchestrator.exited;
    const republished = session.nextDiagnostics(uri);
    await modelCompletion(); // starts the refresh that finds the orchestrator gone
    expect((await republished).diagnostics).toEqual([]);
    const offline = await modelCompletion();
    expect(offline.isIncomplete).toBe(true);
    expect(offline.items[0]!.detail).toMatch(/list incomplete: orchestrator unreachable/);
  });
});
