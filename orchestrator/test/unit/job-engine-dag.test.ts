// The job engine runs a pipeline's DAG in dependency order, renders each step's input from upstream outputs
// (text, structured JSON, embeddings) into the AssignTask it sends, and renders the job's outputs at the end.
import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, pipeline } from './job-engine-harness';

const DAG = pipeline(
  `  - id: draft
    prompt: 'Write about \${{ inputs.topic }}'
    options: { max_tokens: 16, temperature: 0 }
  - id: chat
    needs: [draft]
    messages:
      - { role: system, content: Be brief. }
      - { role: user, content: 'Summarise: \${{ steps.draft.output }}' }
  - id: vec
    needs: [draft]
    embed: \${{ steps.draft.output }}
  - id: final
    needs: [chat, vec]
    prompt: 'Final: \${{ steps.chat.output }} (\${{ inputs.topic }})'
outputs:
  summary: \${{ steps.final.output }}
  draft: '[\${{ steps.draft.output }}]'
`,
  `inputs:
  topic: { type: string, default: clusters }
`,
);

const STRUCTURED = pipeline(
  `  - id: tags
    prompt: Give tags
    output:
      schema:
        type: object
        properties:
          tags: { type: array, items: { type: string, maxLength: 20 }, maxItems: 5 }
          lang: { type: string, maxLength: 10 }
        required: [tags]
  - id: use
    needs: [tags]
    prompt: 'first=\${{ steps.tags.outputs.tags.0 }} all=\${{ steps.tags.outputs.tags }} whole=\${{ steps.tags.output }}'
outputs:
  lang: \${{ steps.tags.outputs.lang }}
`,
);

describe('job engine: DAG execution and rendering', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });

  it('runs steps in dependency order and renders their inputs from upstream outputs', () => {
    const job = h.submit(DAG, { topic: 'fleets' });
    expect(job.state).toBe('queued');
    expect(h.dispatcher.assigned).toHaveLength(0);
    expect(h.view(job.id).stepDetails.every((s) => s.state === 'queued')).toBe(true);

    h.addNode('n1');
    expect(h.assignedSteps()).toEqual(['draft']);
    const draft = h.assignment('draft');
    expect(draft.nodeId).toBe('n1');
    expect(draft.task).toMatchObject({
      jobId: job.id,
      stepId: 'draft',
      attempt: 1,
      model: 'orchion-tiny',
      prompt: 'Write about fleets',
      timeoutMs: 600_000,
      options: { maxTokens: 16, temperature: 0, stop: [] },
    });
    expect(h.view(job.id).state).toBe('running');
    expect(h.step(job.id, 'draft').state).toBe('running');

    h.started(draft);
    h.succeed(draft, { text: 'DRAFT' });
    expect(h.assignedSteps()).toEqual(['draft', 'chat', 'vec']);
    expect(h.assignment('chat').task.messages).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Summarise: DRAFT' },
      ],
    });
    expect(h.assignment('chat').task.prompt).toBeUndefined();
    expect(h.assignment('vec').task.embed).toEqual({ input: ['DRAFT'] });
    expect(h.assignment('vec').task.options).toBeUndefined();

    h.succeed(h.assignment('chat'), { text: 'CHAT' });
    expect(h.assignedSteps()).not.toContain('final');
    expect(h.step(job.id, 'final').state).toBe('queued');
    h.succeed(h.assignment('vec'), {
      embeddings: [{ values: [0.5, 0.25] }],
      dimensions: 2,
      completionTokens: 0,
    });
    expect(h.assignment('final').task.prompt).toBe('Final: CHAT (fleets)');
    expect(h.engine.activeJobs).toBe(1);

    h.succeed(h.assignment('final'), { text: 'FINAL', stopReason: 'maxTokens' });
    const done = h.view(job.id);
    expect(done.state).toBe('succeeded');
    expect(done.error).toBeNull();
    expect(done.outputs).toEqual({ summary: 'FINAL', draft: '[DRAFT]' });
    expect(h.step(job.id, 'vec').output).toEqual([0.5, 0.25]);
    expect(h.step(job.id, 'vec').result).toMatchObject({ dimensions: 2, nodeId: 'n1' });
    expect(h.step(job.id, 'final').result).toMatchObject({
      stopReason: 'maxTokens',
      promptTokens: 3,
      completionTokens: 5,
      nodeId: 'n1',
    });
    expect(done.stepDetails.map((s) => s.attempts.map((a) => a.state))).toEqual([
      ['succeeded'],
      ['succeeded'],
      ['succeeded'],
      ['succeeded'],
    ]);
    expect(h.sinks.finished).toEqual([job.id]);
    expect(h.engine.activeJobs).toBe(0);
    expect(h.sinks.jobEvents.map((e) => e.state)).toEqual(['queued', 'running', 'succeeded']);
    expect(h.sinks.jobEvents[0]!.created).toBe(true);
  });

  it('runs independent steps in parallel, as far as the nodes have slots', () => {
    const job = h.submit(
      pipeline(`  - { id: a, prompt: A }
  - { id: b, prompt: B }
  - { id: c, prompt: C }
  - { id: d, prompt: 'D \${{ steps.a.output }}\${{ steps.b.output }}\${{ steps.c.output }}', needs: [a, b, c] }
`),
    );
    h.addNode('n1', { slots: 2 });
    expect(h.assignedSteps()).toEqual(['a', 'b']);
    expect(h.step(job.id, 'c').waitingFor).toMatch(/slot|busy/);
    h.succeed(h.assignment('b'), { text: '2' });
    expect(h.assignedSteps()).toEqual(['a', 'b', 'c']);
    h.succeed(h.assignment('c'), { text: '3' });
    h.succeed(h.assignment('a'), { text: '1' });
    expect(h.assignment('d').task.prompt).toBe('D 123');
  });

  it('parses structured output and makes its fields usable downstream and in outputs', () => {
    const job = h.submit(STRUCTURED);
    h.addNode('n1');
    const tags = h.assignment('tags');
    expect(JSON.parse(tags.task.outputSchemaJson!)).toMatchObject({ type: 'object', required: ['tags'] });
    h.succeed(tags, { text: '{"tags":["a","b"],"lang":"en"}', json: '{"tags":["a","b"],"lang":"en"}' });
    expect(h.step(job.id, 'tags').output).toEqual({ tags: ['a', 'b'], lang: 'en' });
    expect(h.assignment('use').task.prompt).toBe(
      'first=a all=["a","b"] whole={"tags":["a","b"],"lang":"en"}',
    );
    h.succeed(h.assignment('use'), { text: 'ok' });
    expect(h.view(job.id)).toMatchObject({ state: 'succeeded', outputs: { lang: 'en' } });
  });

  it('reads structured output from the text when the agent sent no json', () => {
    const job = h.submit(STRUCTURED);
    h.addNode('n1');
    h.succeed(h.assignment('tags'), { text: '{"tags":["t"],"lang":"fr"}' });
    expect(h.step(job.id, 'tags').output).toEqual({ tags: ['t'], lang: 'fr' });
    expect(h.assignment('use').task.prompt).toMatch(/^first=t /);
  });

  it('fails the attempt (retryably) on a success whose result does not fit the step, and stays consistent', () => {
    const job = h.submit(
      pipeline(`  - id: tags
    prompt: Give tags
    retries: 2
    output: { schema: { type: object, properties: { lang: { type: string, maxLength: 5 } } } }
  - id: vec
    embed: [a, b]
    retries: 0
`),
    );
    h.addNode('n1');
    h.succeed(h.assignment('tags'), { text: 'not json', json: '' });
    let tags = h.step(job.id, 'tags');
    expect(tags.attempts[0]).toMatchObject({ state: 'failed', errorCode: 'invalid-output' });
    expect(tags.attempts[0]!.error).toBe('the structured output is not valid JSON: not json');
    expect(tags.attempts[1]!.state).toBe('queued');
    h.time.advance(1000);
    h.update('n1', h.assignment('tags').task.attemptId!, 'TASK_STATE_SUCCEEDED', { result: null });
    tags = h.step(job.id, 'tags');
    expect(tags.attempts[1]).toMatchObject({ state: 'failed', errorCode: 'invalid-result' });
    h.time.advance(2000);
    h.succeed(h.assignment('tags'), { json: '{"lang":"en"}' });
    expect(h.step(job.id, 'tags')).toMatchObject({ state: 'succeeded', output: { lang: 'en' } });

    h.succeed(h.assignment('vec'), { embeddings: [{ values: [1] }], dimensions: 1 });
    expect(h.step(job.id, 'vec')).toMatchObject({
      state: 'failed',
      error: 'the agent returned 1 vectors for 2 inputs (after 1 attempt)',
    });
    expect(h.view(job.id).state).toBe('failed');
    expect(h.engine.activeJobs).toBe(0);
  });

  it('fails a step without retry when its template cannot be rendered (a missing structured field)', () => {
    const job = h.submit(
      pipeline(`  - id: tags
    prompt: Give tags
    retries: 3
    output:
      schema: { type: object, properties: { lang: { type: string, maxLength: 5 } } }
  - id: use
    needs: [tags]
    retries: 3
    prompt: 'lang=\${{ steps.tags.outputs.lang }}'
`),
    );
    h.addNode('n1');
    h.succeed(h.assignment('tags'), { json: '{}' });
    const use = h.step(job.id, 'use');
    expect(use.state).toBe('failed');
    expect(use.attempts).toEqual([]);
    expect(use.error).toMatch(/^cannot render the step: .*no value for steps\.tags\.outputs\.lang/);
    expect(h.assignedSteps()).toEqual(['tags']);
    const done = h.view(job.id);
    expect(done.state).toBe('failed');
    expect(done.error).toBe(`step use failed: ${use.error}`);
  });

  it('fails the job when its outputs cannot be rendered', () => {
    const job = h.submit(STRUCTURED);
    h.addNode('n1');
    h.succeed(h.assignment('tags'), { json: '{"tags":["x"]}' });
    h.succeed(h.assignment('use'), { text: 'ok' });
    const done = h.view(job.id);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/^cannot render the outputs: .*no value for steps\.tags\.outputs\.lang/);
    expect(done.stepDetails.every((s) => s.state === 'succeeded')).toBe(true);
  });

  describe('embeddings', () => {
    const run = (embed: string, inputs: Record<string, unknown> = {}) => {
      const job = h.submit(
        pipeline(
          `  - id: vec
    embed: ${embed}
`,
          `inputs:
  docs: { type: array, default: [] }
`,
        ),
        inputs,
      );
      h.addNode('n1');
      return job;
    };

    it('one text gives one vector', () => {
      const job = run("'hello ${{ inputs.docs }}'", { docs: ['x'] });
      const a = h.assignment('vec');
      expect(a.task.embed).toEqual({ input: ['hello ["x"]'] });
      h.succeed(a, { embeddings: [{ values: [1, 2] }], dimensions: 2 });
      expect(h.step(job.id, 'vec').output).toEqual([1, 2]);
    });

    it('a literal list gives a list of vectors, even of one', () => {
      const job = run('[only]');
      expect(h.assignment('vec').task.embed).toEqual({ input: ['only'] });
      h.succeed(h.assignment('vec'), { embeddings: [{ values: [1, 2] }], dimensions: 2 });
      expect(h.step(job.id, 'vec').output).toEqual([[1, 2]]);
    });

    it('one expression whose value is a list embeds each item and gives a list', () => {
      const job = run('${{ inputs.docs }}', { docs: ['a', 'b'] });
      expect(h.assignment('vec').task.embed).toEqual({ input: ['a', 'b'] });
      h.succeed(h.assignment('vec'), { embeddings: [{ values: [1] }, { values: [2] }], dimensions: 1 });
      expect(h.step(job.id, 'vec').output).toEqual([[1], [2]]);
    });

    it('one expression whose value is a one-item list still gives a list', () => {
      const job = run('${{ inputs.docs }}', { docs: ['a'] });
      expect(h.assignment('vec').task.embed).toEqual({ input: ['a'] });
      h.succeed(h.assignment('vec'), { embeddings: [{ values: [1, 2] }], dimensions: 2 });
      expect(h.step(job.id, 'vec').output).toEqual([[1, 2]]);
    });
  });
});
