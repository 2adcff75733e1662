import { describe, expect, test } from 'vitest';
import { parsePipeline } from '../../src/index.js';
import { HEADER, expectDiagnostics } from './helpers/cursor.js';

describe('steps', () => {
  test('step-kind: none of prompt, messages, embed (on the id)', () => {
    expectDiagnostics(`${HEADER}steps:\n  - id: ⟦a⟧\n    model: orchion-tiny\n`, [
      {
        code: 'step-kind',
        message: 'step "a" needs one of prompt (completion), messages (chat) or embed (embedding)',
      },
    ]);
  });

  test('step-kind: no kind and no id points at the first key', () => {
    expectDiagnostics(`${HEADER}steps:\n  - ⟦⟦model⟧⟧: x\n`, [
      { code: 'step-kind', message: 'steps[0] needs one of' },
      'schema-required',
    ]);
  });

  test('step-kind: two kinds, on the second key, related to the first', () => {
    const r = expectDiagnostics(`${HEADER}steps:\n  - id: a\n    prompt: hi\n    ⟦embed⟧: hi\n`, [
      { code: 'step-kind', message: 'step "a" sets both "prompt" and "embed"' },
    ]);
    expect(r.matched[0]!.related?.[0]?.range.start).toEqual({ line: 6, character: 4 });
  });

  test('step-kind: embed steps cannot have output.schema; option-ignored warns about generation options', () => {
    expectDiagnostics(
      `${HEADER}steps:
  - id: a
    embed: [one, two]
    options: { ⟦temperature⟧: 0.5 }
    ⟦output⟧: { schema: { type: string } }
`,
      [{ code: 'option-ignored', severity: 'warning' }, 'step-kind'],
    );
  });

  test('message-role: the last chat message must come from the user', () => {
    expectDiagnostics(
      `${HEADER}steps:
  - id: a
    messages:
      - { role: user, content: hi }
      - { role: ⟦assistant⟧, content: hello }
`,
      [{ code: 'message-role', message: 'got "assistant"' }],
    );
  });

  test('duplicate-step-id: on the second id, related to the first', () => {
    const r = expectDiagnostics(`${HEADER}steps:\n  - id: a\n    prompt: x\n  - id: ⟦a⟧\n    prompt: y\n`, [
      { code: 'duplicate-step-id', message: 'duplicate step id "a" (first used by steps[0])' },
    ]);
    expect(r.matched[0]!.related).toEqual([
      {
        message: 'step "a" is first defined here',
        range: { start: { line: 5, character: 8 }, end: { line: 5, character: 9 } },
      },
    ]);
  });

  test('unknown-need with a suggestion; needs as a single string; duplicate-need', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:
  - id: summarize
    prompt: x
  - id: b
    needs: ⟦summarise⟧
    prompt: y
  - id: c
    needs: [summarize, b, ⟦summarize⟧, ⟦nope⟧]
    prompt: z
`,
      ['unknown-need', { code: 'duplicate-need', severity: 'warning' }, 'unknown-need'],
    );
    expect(r.matched[0]!.message).toBe('step "b" needs unknown step "summarise" (did you mean "summarize"?)');
    expect(r.matched[2]!.message).toBe('step "c" needs unknown step "nope"');
  });

  test('cycle: reported on each needs entry of the cycle, with its path', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:
  - id: a
    needs: [⟦b⟧]
    prompt: x
  - id: b
    needs: [⟦c⟧]
    prompt: x
  - id: c
    needs: [⟦a⟧]
    prompt: x
  - id: d
    needs: [a]
    prompt: x
`,
      ['cycle', 'cycle', 'cycle'],
    );
    expect(r.matched.map((d) => d.message)).toEqual([
      'dependency cycle: a → b → c → a',
      'dependency cycle: b → c → a → b',
      'dependency cycle: c → a → b → c',
    ]);
    expect(r.matched[0]!.related?.map((x) => x.message)).toEqual(['"b" needs "c"', '"c" needs "a"']);
    expect(r.pipeline).toBeUndefined();
  });

  test('cycle: a step that needs itself', () => {
    expectDiagnostics(`${HEADER}steps:\n  - id: a\n    needs: [⟦a⟧]\n    prompt: x\n`, [
      { code: 'cycle', message: 'dependency cycle: a → a' },
    ]);
  });

  test('cycle: two overlapping cycles give each entry its own shortest cycle', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:
  - { id: a, needs: [⟦b⟧, ⟦c⟧], prompt: x }
  - { id: b, needs: [⟦a⟧], prompt: x }
  - { id: c, needs: [⟦a⟧], prompt: x }
`,
      ['cycle', 'cycle', 'cycle', 'cycle'],
    );
    expect(r.matched.map((d) => d.message)).toEqual([
      'dependency cycle: a → b → a',
      'dependency cycle: a → c → a',
      'dependency cycle: b → a → b',
      'dependency cycle: c → a → c',
    ]);
  });

  test('cycle: a long cycle is shortened in messages', () => {
    const n = 100;
    const steps = Array.from(
      { length: n },
      (_, i) => `  - { id: s${i}, needs: [s${(i + 1) % n}], prompt: x }`,
    );
    const r = parsePipeline(`${HEADER}steps:\n${steps.join('\n')}\n`);
    const cycles = r.diagnostics.filter((d) => d.code === 'cycle');
    expect(cycles).toHaveLength(n);
    expect(cycles[0]!.message).toBe(
      'dependency cycle: s0 → s1 → s2 → s3 → s4 → s5 → … → s95 → s96 → s97 → s98 → s99 → s0 (100 steps)',
    );
  });
});
