// Pipelines end to end: a real orchestrator and two real agents (embedded llama.cpp with the generated tiny model,
// and the echo runtime with a per-token delay for long-running steps). Covers real inference, structured output,
// embeddings, invalid pipelines (exact line:col), cancellation, an agent killed mid-step and an orchestrator
// killed mid-run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiErrorBody, JobView, LogEntry, OrchionEvent } from '@orchion/api';
import { validateOutput, type Diagnostic } from '@orchion/schemas';
import { writeTinyModel } from '../../../agent/src/models/tiny-model';
import {
  cleanup,
  cli,
  freePort,
  startAgentProc,
  startOrchestratorProc,
  tempDir,
  waitFor,
  type OrchestratorProc,
  type Proc,
} from './harness';

const PIPELINE = `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: e2e }
inputs:
  topic: { type: string, default: clusters }
defaults: { model: orchion-tiny, options: { temperature: 0 } }
steps:
  - id: draft
    prompt: "Write about \${{ inputs.topic }}"
    options: { max_tokens: 16 }
  - id: chat
    needs: [draft]
    messages:
      - { role: system, content: Be brief. }
      - { role: user, content: "Summarise: \${{ steps.draft.output }}" }
    options: { max_tokens: 12 }
  - id: vec
    needs: [draft]
    embed: \${{ steps.draft.output }}
outputs: { summary: "\${{ steps.chat.output }}" }
`;

const TAG_SCHEMA = {
  type: 'object',
  properties: { tag: { type: 'string', maxLength: 8 } },
  required: ['tag'],
  additionalProperties: false,
};

const STRUCTURED = `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: structured }
steps:
  - id: tags
    model: orchion-tiny
    prompt: "Give a tag"
    options: { max_tokens: 48, temperature: 0 }
    output: { schema: ${JSON.stringify(TAG_SCHEMA)} }
`;

const words = (n: number): string => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

/** An echo step: with the agents' 20 ms per token, `n` words take about n/50 seconds. */
const echoPipeline = (
  name: string,
  steps: { id: string; n: number; needs?: string[] }[],
  retries = 0,
): string =>
  `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: ${name} }
defaults: { model: echo, runtime: echo }
steps:
${steps
  .map(
    (s) => `  - id: ${s.id}
    prompt: "${words(s.n)}"
    options: { max_tokens: 100000 }
    retries: ${retries}${s.needs ? `\n    needs: [${s.needs.join(', ')}]` : ''}`,
  )
  .join('\n')}
`;

describe('pipelines on real agents', () => {
  const dirs: string[] = [];
  const procs: Proc[] = [];
  let orch: OrchestratorProc;
  let dataDir: string;
  let ports: { httpPort: number; grpcPort: number };
  const agents: { proc: Proc; dir: string; id: string }[] = [];

  const startAgent = (dir: string): Proc => {
    const p = startAgentProc({
      orchestrator: orch.grpcAddress,
      joinToken: orch.joinToken,
      dataDir: dir,
      extra: ['--runtime', 'embedded', '--runtime', 'echo', '--slots', '2', '--echo-token-delay', '20ms'],
    });
    procs.push(p);
    return p;
  };

  const submit = async (pipeline: string, inputs: Record<string, unknown> = {}): Promise<JobView> =>
    orch.client.submitJob({ pipeline, inputs });

  const finished = async (id: string, timeoutMs = 60_000): Promise<JobView> =>
    waitFor(
      `job ${id} to finish`,
      async () => {
        const j = await orch.client.getJob(id);
        return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
      },
      timeoutMs,
      100,
    );

  const logs = async (id: string): Promise<LogEntry[]> => {
    const out: LogEntry[] = [];
    await orch.client.streamJobLogs(id, (e) => out.push(e));
    return out;
  };

  beforeAll(async () => {
    dataDir = tempDir();
    dirs.push(dataDir);
    ports = { httpPort: await freePort(), grpcPort: await freePort() };
    orch = await startOrchestratorProc({ dataDir, ...ports });
    procs.push(orch);
    for (let i = 0; i < 2; i++) {
      const dir = tempDir('orchion-agent-');
      dirs.push(dir);
      if (i === 0) {
        // A malformed model file must be reported, not crash the agent.
        mkdirSync(join(dir, 'models'), { recursive: true });
        writeFileSync(join(dir, 'models', 'broken.gguf'), Buffer.from('GGUF\x03\x00\x00\x00garbage'));
        await writeTinyModel(join(dir, 'models', 'orchion-tiny.gguf'));
      }
      const proc = startAgent(dir);
      const id = await waitFor(`agent ${i} id`, () => {
        try {
          return readFileSync(join(dir, 'node-id'), 'utf8').trim() || undefined;
        } catch {
          return undefined;
        }
      });
      agents.push({ proc, dir, id });
    }
    await waitFor(
      'both agents ready with models',
      async () => {
        const { nodes } = await orch.client.listNodes({ state: 'ready' });
        return nodes.length === 2 && nodes.every((n) => n.models.some((m) => m.name === 'orchion-tiny'));
      },
      30_000,
    );
  });

  afterAll(() => cleanup(procs, dirs));

  it('reports models, and a malformed GGUF as an error while the agent stays up', async () => {
    const n = await orch.client.getNode(agents[0]!.id);
    expect(n.state).toBe('ready');
    expect(n.runtimes.sort()).toEqual(['echo', 'embedded']);
    const tiny = n.models.find((m) => m.name === 'orchion-tiny')!;
    expect(tiny.architecture).toBe('llama');
    expect(tiny.error).toBe('');
    const broken = n.models.find((m) => m.name === 'broken')!;
    expect(broken.error).not.toBe('');
  });

  it('runs a multi-step pipeline with real inference: completion, chat, embedding', async () => {
    const events: OrchionEvent[] = [];
    const ac = new AbortController();
    const stream = orch.client.streamEvents((e) => events.push(e), { signal: ac.signal });
    const job = await submit(PIPELINE, { topic: 'fleets' });
    expect(['queued', 'running']).toContain(job.state);
    const done = await finished(job.id);
    ac.abort();
    await stream.catch(() => {});
    expect(done.state, JSON.stringify(done.stepDetails.map((s) => [s.id, s.error]))).toBe('succeeded');
    const step = (id: string) => done.stepDetails.find((s) => s.id === id)!;
    for (const id of ['draft', 'chat']) {
      expect(typeof step(id).output).toBe('string');
      expect(['maxTokens', 'eogToken']).toContain(step(id).result!.stopReason);
      expect(step(id).attempts).toHaveLength(1);
    }
    const vector = step('vec').output as number[];
    expect(vector).toHaveLength(64);
    expect(vector.every((x) => typeof x === 'number' && Number.isFinite(x))).toBe(true);
    expect(done.outputs!.summary).toBe(step('chat').output);
    const entries = await logs(job.id);
    const tokens = entries
      .filter((e) => e.kind === 'token' && e.stepId === 'draft')
      .map((e) => e.text)
      .join('');
    expect(tokens).toBe(step('draft').output);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['job.created', 'job.updated', 'step.updated']),
    );
  });

  it('returns schema-valid JSON for a structured-output step, or a clear step error', async () => {
    const done = await finished((await submit(STRUCTURED)).id);
    const tags = done.stepDetails[0]!;
    if (done.state === 'succeeded') {
      expect(validateOutput(TAG_SCHEMA, tags.output), JSON.stringify(tags.output)).toEqual({
        valid: true,
        errors: [],
      });
    } else {
      expect(done.state).toBe('failed');
      expect(tags.attempts[0]!.errorCode).toBe('invalid-output');
      expect(tags.error).toMatch(/schema|JSON/i);
    }
  });

  it('answers 422 with exact line and column for invalid pipelines', async () => {
    // ⟦…⟧ marks where the diagnostic must point.
    const fixture = PIPELINE.replace('    prompt: "Write', '    ⟦promt⟧: "Write');
    const start = fixture.indexOf('⟦');
    const end = fixture.indexOf('⟧') - 1;
    const text = fixture.replace('⟦', '').replace('⟧', '');
    const pos = (offset: number) => {
      const before = text.slice(0, offset).split('\n');
      return { line: before.length - 1, character: before[before.length - 1]!.length };
    };
    const res = await fetch(`${orch.httpUrl}/api/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${orch.adminToken}`, 'content-type': 'application/yaml' },
      body: text,
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as ApiErrorBody & { error: { details: { diagnostics: Diagnostic[] } } };
    expect(body.error.code).toBe('invalid_pipeline');
    const d = body.error.details.diagnostics.find((x) => x.code === 'schema-additional-property')!;
    expect(d.range).toEqual({ start: pos(start), end: pos(end) });
    expect(d.message).toContain('did you mean "prompt"');

    const missing = await fetch(`${orch.httpUrl}/api/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${orch.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: PIPELINE.replace('default: clusters', 'description: required') }),
    });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as ApiErrorBody).error.code).toBe('invalid_inputs');
  });

  it('cancel stops a running generation on the agent', async () => {
    const job = await submit(echoPipeline('long', [{ id: 'slow', n: 2000 }]));
    await waitFor('tokens flowing', async () => (await logs(job.id)).some((e) => e.kind === 'token'), 10_000);
    const cancelled = await orch.client.cancelJob(job.id);
    expect(cancelled.state).toBe('cancelled');
    const count = async () => (await logs(job.id)).filter((e) => e.kind === 'token').length;
    await new Promise((r) => setTimeout(r, 300));
    const settled = await count();
    await new Promise((r) => setTimeout(r, 500));
    expect(await count()).toBe(settled);
    expect(cancelled.stepDetails[0]!.attempts[0]!.state).toBe('cancelled');
    // The agent is free again: a new job runs.
    const next = await finished((await submit(echoPipeline('after-cancel', [{ id: 'quick', n: 5 }]))).id);
    expect(next.state).toBe('succeeded');
  });

  it('reruns a step on another agent when its agent is killed mid-step, and finishes once', async () => {
    const prompt = words(150);
    const job = await submit(echoPipeline('failover', [{ id: 'echo', n: 150 }], 2));
    const first = await waitFor(
      'running attempt',
      async () => {
        const j = await orch.client.getJob(job.id);
        const a = j.stepDetails[0]!.attempts[0];
        return a?.state === 'running' && (await logs(job.id)).some((e) => e.kind === 'token') ? a : undefined;
      },
      10_000,
    );
    const victim = agents.find((a) => a.id === first.nodeId)!;
    victim.proc.child.kill('SIGKILL');
    const done = await finished(job.id);
    expect(done.state).toBe('succeeded');
    const step = done.stepDetails[0]!;
    expect(step.output).toBe(prompt);
    expect(step.attempts.map((a) => a.state)).toEqual(['lost', 'succeeded']);
    expect(step.attempts[1]!.nodeId).not.toBe(victim.id);
    // Restart the killed agent for the next test.
    victim.proc = startAgent(victim.dir);
    await waitFor('agent back', async () => (await orch.client.getNode(victim.id)).state === 'ready', 20_000);
  });

  it('finishes a job after the orchestrator is killed mid-run and restarted: nothing lost, nothing twice', async () => {
    const job = await submit(
      echoPipeline('durable', [
        { id: 'one', n: 100 },
        { id: 'two', n: 100, needs: ['one'] },
      ]),
    );
    await waitFor(
      'step one running',
      async () => (await orch.client.getJob(job.id)).stepDetails[0]!.state === 'running',
      10_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    orch.child.kill('SIGKILL');
    await orch.exited;
    orch = await startOrchestratorProc({ dataDir, ...ports });
    procs.push(orch);
    const done = await finished(job.id);
    expect(done.state, JSON.stringify(done.stepDetails, null, 1)).toBe('succeeded');
    for (const s of done.stepDetails) {
      expect(s.output).toBe(words(100));
      expect(s.attempts.filter((a) => a.state === 'succeeded')).toHaveLength(1);
    }
    // Nothing else was created: one job, still one.
    const { jobs } = await orch.client.listJobs({ limit: 100 });
    expect(jobs.filter((j) => j.name === 'durable')).toHaveLength(1);
  });

  it('CLI: submit --follow streams the job and exits 0 only when it succeeded; validate prints FILE:LINE:COL', async () => {
    const env = { ORCHION_URL: orch.httpUrl, ORCHION_TOKEN: orch.adminToken };
    const ok = await cli(['submit', 'examples/hello.yaml', '--input', 'name=Ada', '--follow'], env);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toMatch(/── greet ──/);
    expect(ok.output).toMatch(/Job [0-9a-f-]{36} succeeded/);
    expect(ok.output).toMatch(/Outputs:\n {2}greeting: /);

    const dir = tempDir('orchion-pipelines-');
    dirs.push(dir);
    const slow = join(dir, 'slow.yaml');
    writeFileSync(
      slow,
      echoPipeline('too-slow', [{ id: 'slow', n: 200 }]).replace(
        'retries: 0',
        'retries: 0\n    timeout: 300ms',
      ),
    );
    const failed = await cli(['submit', slow, '--follow'], env);
    expect(failed.code, failed.output).toBe(1);
    expect(failed.output).toMatch(/Job [0-9a-f-]{36} failed: step slow failed: .*tim/);

    const invalid = await cli(['submit', 'examples/invalid.yaml'], env);
    expect(invalid.code).toBe(1);
    expect(invalid.output).toMatch(/^examples\/invalid\.yaml:\d+:\d+: error: .+ \[[a-z-]+\]$/m);

    const v = await cli(['validate', 'examples/hello.yaml', 'examples/invalid.yaml']);
    expect(v.code).toBe(1);
    expect(v.output).toContain('examples/hello.yaml: ok');
    expect(v.output).toMatch(/^examples\/invalid\.yaml:10:5: error: unknown property "promt"/m);
    const good = await cli(['validate', 'examples/hello.yaml', 'examples/structured.yaml']);
    expect(good.code).toBe(0);
  });
});
