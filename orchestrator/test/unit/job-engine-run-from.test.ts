// "Run from here": a job runs one step and its downstream steps; the others reuse an earlier job's outputs (real
// store, real scheduler, the engine harness's recording dispatcher in place of agents).
import { describe, expect, it } from 'vitest';
import { planRunFrom, readRunFrom, type RunFromPlan } from '../../src/jobs/run-from';
import { prepareJob } from '../../src/jobs/submit';
import { Harness, node, pipeline } from './job-engine-harness';

// a → b → c, and d (needs a) beside b; e stands alone.
const DAG = pipeline(`  - { id: a, prompt: A }
  - { id: b, prompt: 'B \${{ steps.a.output }}', needs: [a] }
  - { id: c, prompt: 'C \${{ steps.b.output }}', needs: [b] }
  - { id: d, prompt: 'D \${{ steps.a.output }}', needs: [a] }
  - { id: e, prompt: E }
`);
const NAMED = (name: string) => DAG.replace('metadata: { name: test }', `metadata: { name: ${name} }`);

function parsed(text: string) {
  const p = prepareJob(text, {});
  if (!p.ok) throw new Error('invalid test pipeline');
  return p.pipeline;
}

/** Runs a whole job of DAG; `fail` steps fail (without retry), the others succeed with "<id>-out<n>". */
function runJob(h: Harness, n: number, fail: string[] = [], text = DAG): string {
  const job = h.submit(text);
  for (let guard = 0; guard < 20 && h.engine.activeJob(job.id); guard++) {
    for (const a of h.dispatcher.assigned.filter((x) => x.task.jobId === job.id)) {
      const step = h.step(job.id, a.task.stepId!);
      if (step.state !== 'running') continue;
      if (fail.includes(a.task.stepId!)) h.fail(a, { message: 'broken' });
      else h.succeed(a, { text: `${a.task.stepId}-out${n}` });
    }
  }
  return job.id;
}

function plan(h: Harness, from: { step: string; job?: string }, text = DAG): RunFromPlan {
  const r = planRunFrom(parsed(text), from, h.store);
  if (!r.ok) throw new Error(`${r.status} ${r.code}: ${r.message}`);
  return r.plan;
}

describe('run from a step', () => {
  it('runs the step and its downstream steps, reusing the others from the newest job that has them', () => {
    const h = new Harness();
    h.addNode('n1', { slots: 8 });
    const first = runJob(h, 1);
    const second = runJob(h, 2, ['a']); // newer, but a failed: it cannot provide a
    expect(h.view(second).state).toBe('failed');

    const p = plan(h, { step: 'b' });
    expect([...p.run].sort()).toEqual(['b', 'c']);
    expect(p.reuse?.jobId).toBe(first);
    const job = h.engine.submit(DAG, parsed(DAG), {}, p);
    const view = h.view(job.id);
    const byId = Object.fromEntries(view.stepDetails.map((s) => [s.id, s]));
    for (const id of ['a', 'd', 'e']) {
      expect(byId[id]).toMatchObject({
        state: 'succeeded',
        output: `${id}-out1`,
        reusedFrom: first,
        attempts: [],
      });
      expect(byId[id]!.result).toMatchObject({ reusedFrom: first, completionTokens: 5 });
    }
    expect(byId.b).toMatchObject({ state: 'running', reusedFrom: null });
    expect(byId.c).toMatchObject({ state: 'queued', reusedFrom: null });
    expect(h.assignment('b', job.id).task.prompt).toBe('B a-out1');
    expect(h.events(job.id)).toContain(`running from step b; reusing a, d, e from job ${first}`);

    h.succeed(h.assignment('b', job.id), { text: 'b-new' });
    expect(h.assignment('c', job.id).task.prompt).toBe('C b-new');
    h.succeed(h.assignment('c', job.id), { text: 'c-new' });
    expect(h.view(job.id).state).toBe('succeeded');
    // Only b and c ran in the new job.
    expect(h.dispatcher.assigned.filter((a) => a.task.jobId === job.id).map((a) => a.task.stepId)).toEqual([
      'b',
      'c',
    ]);
  });

  it('runs the steps that are neither upstream nor downstream when the source job has no output for them', () => {
    const h = new Harness();
    h.addNode('n1', { slots: 8 });
    const first = runJob(h, 1, ['e']);
    const p = plan(h, { step: 'c' });
    expect(p.reuse?.jobId).toBe(first);
    const job = h.engine.submit(DAG, parsed(DAG), {}, p);
    const states = Object.fromEntries(h.view(job.id).stepDetails.map((s) => [s.id, [s.state, s.reusedFrom]]));
    expect(states).toEqual({
      a: ['succeeded', first],
      b: ['succeeded', first],
      c: ['running', null],
      d: ['succeeded', first],
      e: ['running', null],
    });
  });

  it('keeps reused steps across an orchestrator restart', () => {
    const h = new Harness();
    h.addNode('n1', { slots: 8 });
    const first = runJob(h, 1);
    const job = h.engine.submit(DAG, parsed(DAG), {}, plan(h, { step: 'b', job: first }));
    const h2 = h.restart();
    h2.engine.nodeChanged(node('n1', { state: 'stale', slots: 8 }));
    h2.engine.recover();
    h2.addNode('n1', { slots: 8 });
    expect(h2.view(job.id).state).toBe('running');
    expect(h2.engine.activeJob(job.id)!.steps.get('a')!.reusedFrom).toBe(first);
    expect(h2.step(job.id, 'a')).toMatchObject({ state: 'succeeded', reusedFrom: first, output: 'a-out1' });
  });

  it('refuses what it cannot run, with the reason', () => {
    const h = new Harness();
    h.addNode('n1', { slots: 8 });
    const refused = (from: { step: string; job?: string }, text = DAG) => {
      const r = planRunFrom(parsed(text), from, h.store);
      return r.ok ? 'ok' : `${r.status} ${r.code}: ${r.message}`;
    };
    expect(refused({ step: 'zz' })).toBe(
      '422 unknown_step: the pipeline has no step "zz" to run from (its steps: a, b, c, d, e)',
    );
    expect(refused({ step: 'c' })).toBe(
      '409 no_reusable_job: no earlier job of pipeline "test" has steps "a", "b" succeeded, which running from ' +
        'step "c" needs: run the whole pipeline first, or name a job with from.job (--reuse)',
    );
    // A root step needs nothing: with no earlier job, everything simply runs.
    expect(refused({ step: 'a' })).toBe('ok');
    const failedB = runJob(h, 1, ['b']);
    expect(refused({ step: 'c' })).toMatch(
      /^409 no_reusable_job: no earlier job of pipeline "test" has steps/,
    );
    expect(refused({ step: 'c', job: failedB })).toBe(
      `409 no_reusable_job: job ${failedB} cannot provide the outputs that running from step "c" needs: ` +
        'step "b" did not succeed in it',
    );
    expect(refused({ step: 'b', job: failedB })).toBe('ok');
    expect(refused({ step: 'b', job: 'nope' })).toBe('422 unknown_job: no job "nope" to reuse outputs from');
    // Other pipeline names are not candidates.
    expect(refused({ step: 'd' }, NAMED('other'))).toMatch(
      /^409 no_reusable_job: no earlier job of pipeline "other"/,
    );
  });

  it('reads the request field', () => {
    expect(readRunFrom({ step: 'b' })).toEqual({ step: 'b' });
    expect(readRunFrom({ step: 'b', job: 'j' })).toEqual({ step: 'b', job: 'j' });
    expect(readRunFrom('b')).toMatch(/^from must be an object/);
    expect(readRunFrom({ job: 'j' })).toBe('from.step must be a step id');
    expect(readRunFrom({ step: 'b', job: 3 })).toBe('from.job must be a job id');
    expect(readRunFrom({ step: 'b', jobs: 'x' })).toBe('from has unknown field jobs');
  });
});
