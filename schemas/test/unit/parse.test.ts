import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { DEFAULT_TIMEOUT_MS, formatDiagnostic, parsePipeline, type Pipeline } from '../../src/index.js';
import { expectValid } from './helpers/cursor.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const example = (name: string): string => readFileSync(join(root, 'examples', name), 'utf8');

describe('parsePipeline on the examples', () => {
  test('release-notes.yaml: typed and normalised', () => {
    const p: Pipeline = expectValid(example('release-notes.yaml'));
    expect(p.metadata).toEqual({
      name: 'release-notes',
      description: 'Summarise commits, then translate',
      labels: {},
    });
    expect(p.inputs).toEqual({
      commits: { type: 'string', required: true, description: 'Raw git log' },
      language: { type: 'string', required: false, default: 'French' },
    });
    expect(p.steps.map((s) => [s.id, s.kind, s.needs])).toEqual([
      ['summarize', 'completion', []],
      ['translate', 'chat', ['summarize']],
      ['tags', 'completion', ['summarize']],
      ['index', 'embedding', ['summarize']],
    ]);
    const [summarize, translate, tags, index] = p.steps;
    expect(summarize).toMatchObject({
      model: 'orchion-tiny',
      runtime: 'embedded',
      options: { temperature: 0.2, max_tokens: 200 },
      retries: 0,
      timeout_ms: DEFAULT_TIMEOUT_MS,
      resources: { gpu: 0, labels: {} },
      prompt: 'Summarise as release notes:\n${{ inputs.commits }}',
    });
    expect(translate).toMatchObject({ retries: 2, timeout_ms: 120_000, options: { temperature: 0.2 } });
    expect(translate!.kind === 'chat' && translate!.messages[1]).toEqual({
      role: 'user',
      content: 'Translate to ${{ inputs.language }}: ${{ steps.summarize.output }}',
    });
    expect(tags!.kind === 'completion' && tags!.output?.schema).toMatchObject({ type: 'object' });
    expect(index).toMatchObject({ kind: 'embedding', embed: '${{ steps.summarize.output }}' });
    expect(index).not.toHaveProperty('options');
    expect(p.outputs).toEqual({
      notes: '${{ steps.translate.output }}',
      tags: '${{ steps.tags.outputs.tags }}',
    });
  });

  test('hello.yaml and structured.yaml are valid', () => {
    const hello = expectValid(example('hello.yaml'));
    expect(hello.steps.map((s) => s.kind !== 'embedding' && s.options.max_tokens)).toEqual([24, 12]);
    expect(hello.inputs.name).toEqual({
      type: 'string',
      required: false,
      default: 'World',
      description: 'Who to greet',
    });
    const structured = expectValid(example('structured.yaml'));
    expect(structured.steps[0]).toMatchObject({ retries: 2, timeout_ms: 30_000 });
  });

  test('invalid.yaml shows the common mistakes, as the CLI prints them', () => {
    const r = parsePipeline(example('invalid.yaml'));
    expect(r.pipeline).toBeUndefined();
    expect(
      r.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic('invalid.yaml', d)),
    ).toEqual([
      'invalid.yaml:9:9: error: step "draft" needs one of prompt (completion), messages (chat) or embed (embedding) [step-kind]',
      'invalid.yaml:10:5: error: unknown property "promt" in step "draft" (did you mean "prompt"?) [schema-additional-property]',
      'invalid.yaml:12:13: error: step "review" needs unknown step "drafts" (did you mean "draft"?) [unknown-need]',
      'invalid.yaml:13:26: error: step "draft" is not upstream of "review": add it to needs (needs: [draft]) [reference-not-upstream]',
      'invalid.yaml:14:14: error: "retries" must be at most 10, got 20 [schema-range]',
      'invalid.yaml:16:13: error: dependency cycle: polish → final → polish [cycle]',
      'invalid.yaml:17:26: error: step "review" is not upstream of "polish": add it to needs (needs: [final, review]) [reference-not-upstream]',
      'invalid.yaml:17:56: error: unknown input "language" (declared: topic) [unknown-input]',
      'invalid.yaml:18:14: error: "timeout" must be a duration such as 500ms, 30s, 5m, 1h or 1m30s, or a number of seconds, got the string "5 minutes" [invalid-duration]',
      'invalid.yaml:20:13: error: dependency cycle: final → polish → final [cycle]',
      'invalid.yaml:22:9: error: duplicate step id "draft" (first used by steps[0]) [duplicate-step-id]',
      'invalid.yaml:25:13: error: expected steps.final.output or steps.final.outputs.<field>, got "steps.final.outptu" (did you mean "output"?) [unresolved-reference]',
    ]);
  });
});

describe('normalisation', () => {
  const base = 'apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: n, labels: { team: docs } }\n';

  test('defaults merge under step settings; built-in defaults fill the rest', () => {
    const p = expectValid(`${base}defaults:
  model: big
  runtime: echo
  retries: 1
  timeout: 1m
  options: { temperature: 0.5, stop: END }
  resources: { gpu: true, min_vram_gb: 4, labels: { zone: lab, tier: 1 } }
steps:
  - id: a
    prompt: x
    model: small
    timeout: 1.5
    options: { temperature: 0, seed: 7 }
    resources: { gpu: 2, labels: { tier: 2 } }
  - id: b
    messages: [{ role: user, content: hi }]
    retries: 0
`);
    expect(p.metadata.labels).toEqual({ team: 'docs' });
    expect(p.steps[0]).toMatchObject({
      model: 'small',
      runtime: 'echo',
      retries: 1,
      timeout_ms: 1500,
      options: { temperature: 0, stop: ['END'], seed: 7 },
      resources: { gpu: 2, min_vram_gb: 4, labels: { zone: 'lab', tier: '2' } },
    });
    expect(p.steps[1]).toMatchObject({
      model: 'big',
      retries: 0,
      timeout_ms: 60_000,
      resources: { gpu: 1, min_vram_gb: 4, labels: { zone: 'lab', tier: '1' } },
    });
  });

  test('input types are inferred from defaults; required follows the default', () => {
    const p = expectValid(`${base}inputs:
  a: {}
  b: { default: 2 }
  c: { default: [x] }
  d: { type: boolean, required: false }
  e: { default: x, required: false, enum: [x, y] }
steps:
  - { id: s, prompt: "\${{ inputs.a }}\${{ inputs.b }}\${{ inputs.c }}\${{ inputs.d }}\${{ inputs.e }}" }
`);
    expect(p.inputs).toEqual({
      a: { type: 'string', required: true },
      b: { type: 'number', required: false, default: 2 },
      c: { type: 'array', required: false, default: ['x'] },
      d: { type: 'boolean', required: false },
      e: { type: 'string', required: false, default: 'x', enum: ['x', 'y'] },
    });
  });

  test('needs are de-duplicated; a single need may be a string; embed lists stay lists', () => {
    const p = expectValid(`${base}steps:
  - { id: a, prompt: x }
  - { id: b, needs: a, embed: [x, y] }
`);
    expect(p.steps[1]).toMatchObject({ needs: ['a'], embed: ['x', 'y'] });
  });

  test('warnings and infos still give a pipeline; errors do not', () => {
    const warn = parsePipeline(
      `${base}inputs: { x: { default: 1 } }\nsteps:\n  - { id: a, embed: x, options: { seed: 1 } }\n`,
    );
    expect(warn.diagnostics.map((d) => d.severity)).toEqual(['info', 'warning']);
    expect(warn.pipeline).toBeDefined();
    expect(parsePipeline(`${base}steps: []\n`).pipeline).toBeUndefined();
  });

  test('the data and source are exposed for tools', () => {
    const text = `${base}steps:\n  - { id: a, prompt: x }\n`;
    const r = parsePipeline(text);
    expect(r.data).toMatchObject({ steps: [{ id: 'a' }] });
    expect(r.source?.locate(['steps', 0, 'id'])?.node?.range?.[0]).toBe(text.indexOf('a, prompt'));
  });
});
