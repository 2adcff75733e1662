import { describe, expect, it } from 'vitest';
import { failedStepDiagnostics } from '../../src/diagnostics/failed-steps';
import { inputPrompts, parseInputText, valueToText } from '../../src/pipeline/inputs';
import { readPipeline, stepRange } from '../../src/pipeline/read';
import { TEMPLATES, pipelineTemplate } from '../../src/pipeline/templates';
import { job, jobView, step } from './fixtures';

const PIPELINE = `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: demo }
inputs:
  name: { type: string, default: World, description: Who to greet }
  count: { type: integer, default: 3 }
  tags: { type: array }
  mode: { type: string, enum: [fast, slow], default: fast }
defaults: { model: orchion-tiny }
steps:
  - id: greet
    prompt: "Hi \${{ inputs.name }} \${{ inputs.count }} \${{ inputs.tags }} \${{ inputs.mode }}"
  - id: shorten
    needs: [greet]
    prompt: "Shorten: \${{ steps.greet.output }}"
`;

describe('readPipeline', () => {
  it('reads the name, the declared inputs and the range of each step id', () => {
    const info = readPipeline(PIPELINE);
    expect(info.name).toBe('demo');
    expect(info.errors).toEqual([]);
    expect(Object.keys(info.inputs)).toEqual(['name', 'count', 'tags', 'mode']);
    expect(info.steps.map((s) => s.id)).toEqual(['greet', 'shorten']);
    expect(stepRange(PIPELINE, 'shorten')).toEqual({
      start: { line: 12, character: 8 },
      end: { line: 12, character: 15 },
    });
    expect(stepRange(PIPELINE, 'nope')).toBeUndefined();
  });

  it('reports errors and still finds steps in a broken file', () => {
    const broken = PIPELINE.replace('needs: [greet]', 'needs: [gret]');
    const info = readPipeline(broken);
    expect(info.errors.map((e) => e.code)).toContain('unknown-need');
    expect(info.steps.map((s) => s.id)).toEqual(['greet', 'shorten']);
  });
});

describe('inputs at submit time', () => {
  const prompts = inputPrompts(readPipeline(PIPELINE).inputs);
  const spec = (name: string) => prompts.find((p) => p.name === name)!.spec;

  it('prompts with the defaults as the user would type them', () => {
    expect(prompts.map((p) => [p.name, p.initial])).toEqual([
      ['name', 'World'],
      ['count', '3'],
      ['tags', ''],
      ['mode', 'fast'],
    ]);
    expect(prompts[0]!.prompt).toBe('name (string, has a default) — Who to greet');
    expect(prompts[2]!.prompt).toBe('tags (array, required)');
    expect(prompts[3]!.prompt).toBe('mode (one of "fast", "slow", has a default)');
    expect(prompts[2]!.placeholder).toBe('JSON array');
  });

  it('converts typed text to the declared type, with a message for bad values', () => {
    expect(parseInputText(spec('count'), '42')).toEqual({ value: 42 });
    expect(parseInputText(spec('count'), '4.5')).toHaveProperty('error');
    expect(parseInputText(spec('count'), '')).toEqual({ value: undefined });
    expect(parseInputText(spec('tags'), '["a", 1]')).toEqual({ value: ['a', 1] });
    expect(parseInputText(spec('tags'), '')).toEqual({ error: 'a value is required (array)' });
    expect(parseInputText(spec('tags'), '{"a":1}')).toHaveProperty('error');
    expect(parseInputText(spec('mode'), 'slow')).toEqual({ value: 'slow' });
    expect(parseInputText(spec('mode'), 'medium')).toEqual({ error: 'must be one of "fast", "slow"' });
    expect(parseInputText(spec('name'), '')).toEqual({ value: '' });
  });

  it('writes values the way they are typed', () => {
    expect([
      valueToText('x'),
      valueToText(3),
      valueToText([1]),
      valueToText(null),
      valueToText(undefined),
    ]).toEqual(['x', '3', '[1]', '', '']);
  });
});

describe('failedStepDiagnostics', () => {
  it('puts each failed step at its id with the attempt error; cancelled steps are not reported', () => {
    const failed = step('greet', {
      state: 'failed',
      error: 'timed out after 300ms',
      attempts: [
        {
          ...step('greet').attempts[0]!,
          state: 'failed',
          errorCode: 'timeout',
          error: 'timed out after 300ms',
        },
      ],
    });
    const view = jobView(job('0123456789', { state: 'failed', name: 'demo' }), [
      failed,
      step('shorten', { state: 'cancelled' }),
    ]);
    const diags = failedStepDiagnostics(PIPELINE, view);
    expect(diags).toEqual([
      {
        stepId: 'greet',
        range: { start: { line: 10, character: 8 }, end: { line: 10, character: 13 } },
        severity: 'error',
        message: 'step "greet" failed in job demo 01234567: timed out after 300ms',
        code: 'timeout',
      },
    ]);
  });

  it('places a step missing from the edited file at the top', () => {
    const view = jobView(job('j', { state: 'failed' }), [step('gone', { state: 'failed', error: 'boom' })]);
    expect(failedStepDiagnostics(PIPELINE, view)[0]!.range.start).toEqual({ line: 0, character: 0 });
  });
});

describe('templates', () => {
  it('are valid pipelines named after the given name', () => {
    for (const t of TEMPLATES) {
      const info = readPipeline(pipelineTemplate(t.id, 'My Flow!'));
      expect(info.errors, t.id).toEqual([]);
      expect(info.name).toBe('my-flow');
    }
  });
});
