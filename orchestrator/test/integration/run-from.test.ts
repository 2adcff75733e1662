// "Run from here" end to end: a real orchestrator and a real agent (echo runtime). A job submitted with `from`
// runs only that step and its downstream steps; the others show as succeeded with the earlier job's output and
// its id in `reusedFrom` — through the JSON body, a YAML body with ?from=&reuse=, and `orchion submit --from`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiErrorBody, JobView } from '@orchion/api';
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

/** a → b → c, and d beside b (needs a). The echo runtime answers each prompt with itself. Retries: a node that
 * goes stale on a loaded machine must not fail the job. */
const pipeline = (bPrompt: string, name = 'from-test'): string => `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: ${name} }
defaults: { model: echo, runtime: echo, retries: 2 }
steps:
  - { id: a, prompt: "alpha" }
  - { id: b, needs: [a], prompt: "${bPrompt} \${{ steps.a.output }}" }
  - { id: c, needs: [b], prompt: "c: \${{ steps.b.output }}" }
  - { id: d, needs: [a], prompt: "d: \${{ steps.a.output }}" }
outputs: { last: "\${{ steps.c.output }}" }
`;

describe('run from a step (real processes)', () => {
  const dirs: string[] = [];
  const procs: Proc[] = [];
  let orch: OrchestratorProc;

  const finished = (id: string): Promise<JobView> =>
    waitFor(
      `job ${id} to finish`,
      async () => {
        const j = await orch.client.getJob(id);
        return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
      },
      30_000,
      50,
    );
  const steps = (j: JobView) => Object.fromEntries(j.stepDetails.map((s) => [s.id, s]));
  const post = async (body: string, contentType: string, query = '') => {
    const res = await fetch(`${orch.httpUrl}/api/v1/jobs${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${orch.adminToken}`, 'content-type': contentType },
      body,
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

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
        // A busy machine must not make the node stale (and fail the steps) between heartbeats.
        heartbeat: '1s',
        extra: ['--runtime', 'echo', '--slots', '4'],
      }),
    );
    await waitFor(
      'the agent',
      async () => (await orch.client.listNodes({ state: 'ready' })).nodes.length === 1,
    );
  }, 60_000);

  afterAll(() => cleanup(procs, dirs));

  it('reruns a step and what follows it with the earlier outputs, from JSON, YAML and the CLI', async () => {
    const full = await finished((await orch.client.submitJob({ pipeline: pipeline('b1:') })).id);
    expect(full.state, full.error ?? '').toBe('succeeded');
    expect(steps(full).c!.output).toBe('c: b1: alpha');

    // JSON body: from b, the source job found by pipeline name. The edited b runs, a and d are reused.
    const submitted = await orch.client.submitJob({ pipeline: pipeline('b2:'), from: { step: 'b' } });
    const s0 = steps(submitted);
    expect(s0.a).toMatchObject({ state: 'succeeded', reusedFrom: full.id, output: 'alpha', attempts: [] });
    expect(s0.d).toMatchObject({ state: 'succeeded', reusedFrom: full.id, output: 'd: alpha' });
    expect(s0.b!.reusedFrom).toBeNull();
    const second = await finished(submitted.id);
    expect(second.state).toBe('succeeded');
    const s2 = steps(second);
    expect(s2.b).toMatchObject({ output: 'b2: alpha', reusedFrom: null });
    expect(s2.b!.attempts.filter((x) => x.state === 'succeeded')).toHaveLength(1);
    expect(s2.c!.output).toBe('c: b2: alpha');
    expect(s2.a).toMatchObject({ reusedFrom: full.id, attempts: [] });
    expect(s2.a!.result).toMatchObject({ reusedFrom: full.id });
    expect(second.outputs).toEqual({ last: 'c: b2: alpha' });

    // YAML body: from c, reusing the second job explicitly.
    const yaml = await post(pipeline('b3:'), 'application/yaml', `?from=c&reuse=${second.id}`);
    expect(yaml.status).toBe(201);
    const third = await finished((yaml.body as JobView).id);
    const s3 = steps(third);
    expect(s3.b).toMatchObject({ reusedFrom: second.id, output: 'b2: alpha' });
    expect(s3.a).toMatchObject({ reusedFrom: second.id, output: 'alpha' });
    expect(s3.c).toMatchObject({ reusedFrom: null, output: 'c: b2: alpha' });

    // The CLI, following the job to its end.
    const file = join(dirs[0]!, 'from.yaml');
    writeFileSync(file, pipeline('b4:'));
    const env = { ORCHION_URL: orch.httpUrl, ORCHION_TOKEN: orch.adminToken };
    const run = await cli(['submit', file, '--from', 'b', '--reuse', full.id, '--follow'], env);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`Running from step b; reusing a, d from job ${full.id}.`);
    expect(run.output).toMatch(/Job [0-9a-f-]{36} succeeded/);
    expect(run.output).toContain('last: c: b4: alpha');
    const jobId = /Job ([0-9a-f-]{36}) succeeded/.exec(run.output)![1]!;
    const shown = await cli(['job', jobId], env);
    expect(shown.code, shown.output).toBe(0);
    expect(shown.output).toMatch(new RegExp(`^ {2}a +succeeded .*, reused from job ${full.id}$`, 'm'));
    expect(shown.output).toMatch(/^ {2}b +succeeded .*, \d+ attempt\(s\)$/m);
  }, 90_000);

  it('answers a clear JSON error when the step is unknown or no earlier job provides the outputs', async () => {
    const unknown = await post(
      JSON.stringify({ pipeline: pipeline('x:'), from: { step: 'nope' } }),
      'application/json',
    );
    expect(unknown.status).toBe(422);
    expect((unknown.body as ApiErrorBody).error).toEqual({
      code: 'unknown_step',
      message: 'the pipeline has no step "nope" to run from (its steps: a, b, c, d)',
    });

    const none = await post(pipeline('x:', 'never-ran'), 'application/yaml', '?from=c');
    expect(none.status).toBe(409);
    expect((none.body as ApiErrorBody).error.code).toBe('no_reusable_job');
    expect((none.body as ApiErrorBody).error.message).toContain('no earlier job of pipeline "never-ran"');

    const noJob = await post(pipeline('x:'), 'application/yaml', '?from=b&reuse=not-a-job');
    expect(noJob.status).toBe(422);
    expect((noJob.body as ApiErrorBody).error.code).toBe('unknown_job');

    const reuseAlone = await post(pipeline('x:'), 'application/yaml', '?reuse=x');
    expect(reuseAlone.status).toBe(400);
    const badShape = await post(JSON.stringify({ pipeline: pipeline('x:'), from: 'b' }), 'application/json');
    expect(badShape.status).toBe(400);
    expect((badShape.body as ApiErrorBody).error.message).toMatch(/^from must be an object/);

    const file = join(dirs[0]!, 'never.yaml');
    writeFileSync(file, pipeline('x:', 'never-ran'));
    const env = { ORCHION_URL: orch.httpUrl, ORCHION_TOKEN: orch.adminToken };
    const refused = await cli(['submit', file, '--from', 'b'], env);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      `${file}: --from b: no earlier job of pipeline "never-ran" has step "a"`,
    );
    // Nothing was created by the refusals.
    const { jobs } = await orch.client.listJobs({ limit: 100 });
    expect(jobs.filter((j) => j.name === 'never-ran')).toHaveLength(0);
  }, 60_000);
});
