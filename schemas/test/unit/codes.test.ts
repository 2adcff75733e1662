/**
 * One minimal trigger per diagnostic code, so that every code in DIAGNOSTIC_CODES is known to be reachable
 * (the other test files check messages and exact ranges in detail).
 */
import { describe, expect, test } from 'vitest';
import { DIAGNOSTIC_CODES, parsePipeline, resolveInputs, type DiagnosticCode } from '../../src/index.js';

const H = 'apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: t }\n';
const S = 'steps:\n  - { id: a, prompt: x }\n';

const TRIGGERS: Partial<Record<DiagnosticCode, string>> = {
  'yaml-syntax': `${H}steps: [`,
  'yaml-warning': `${H}steps:\n  - { id: a, prompt: !x y }\n`,
  'yaml-alias-limit': `a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
  'duplicate-key': `${H}${S}steps: []\n`,
  'empty-document': '',
  'schema-required': `${H}`,
  'schema-type': `${H}steps: 3\n`,
  'schema-additional-property': `${H}${S}extra: 1\n`,
  'schema-enum': `${H.replace('Pipeline', 'Job')}${S}`,
  'schema-pattern': `${H}steps:\n  - { id: A, prompt: x }\n`,
  'schema-range': `${H}steps:\n  - { id: a, prompt: x, retries: 11 }\n`,
  'invalid-duration': `${H}steps:\n  - { id: a, prompt: x, timeout: soon }\n`,
  'step-kind': `${H}steps:\n  - { id: a }\n`,
  'option-ignored': `${H}steps:\n  - { id: a, embed: x, options: { temperature: 1 } }\n`,
  'message-role': `${H}steps:\n  - { id: a, messages: [{ role: system, content: x }] }\n`,
  'duplicate-step-id': `${H}steps:\n  - { id: a, prompt: x }\n  - { id: a, prompt: y }\n`,
  'unknown-need': `${H}steps:\n  - { id: a, needs: [b], prompt: x }\n`,
  'duplicate-need': `${H}steps:\n  - { id: a, prompt: x }\n  - { id: b, needs: [a, a], prompt: x }\n`,
  cycle: `${H}steps:\n  - { id: a, needs: [a], prompt: x }\n`,
  'expression-syntax': `${H}steps:\n  - { id: a, prompt: "\${{ }}" }\n`,
  'expression-not-evaluated': `${H}steps:\n  - { id: a, model: "\${{ inputs.m }}", prompt: x }\n`,
  'unresolved-reference': `${H}steps:\n  - { id: a, prompt: "\${{ steps.zz.output }}" }\n`,
  'reference-not-upstream': `${H}steps:\n  - { id: a, prompt: x }\n  - { id: b, prompt: "\${{ steps.a.output }}" }\n`,
  'unknown-input': `${H}steps:\n  - { id: a, prompt: "\${{ inputs.x }}" }\n`,
  'unknown-output-field': `${H}steps:\n  - { id: a, prompt: x, output: { schema: { type: object, properties: { f: { type: string } } } } }\n  - { id: b, needs: [a], prompt: "\${{ steps.a.outputs.g }}" }\n`,
  'unused-input': `${H}inputs: { x: { default: 1 } }\n${S}`,
  'input-type': `${H}inputs: { x: { type: number, default: a } }\n${S}`,
  'input-default-ignored': `${H}inputs: { x: { required: true, default: a } }\n${S}`,
  'output-schema-unsupported': `${H}steps:\n  - { id: a, prompt: x, output: { schema: { type: string, pattern: a } } }\n`,
  'invalid-output-schema': `${H}steps:\n  - { id: a, prompt: x, output: { schema: { $ref: "#/$defs/x" } } }\n`,
};

/** Codes not produced by parsePipeline on a document. */
const ELSEWHERE: Partial<Record<DiagnosticCode, string>> = {
  'missing-input': 'resolveInputs',
  'schema-invalid':
    'fallback for JSON Schema keywords without a dedicated message (none in the current schema)',
  'internal-error': 'reported instead of throwing (robustness.test.ts provokes one)',
};

describe('every diagnostic code has a trigger', () => {
  for (const code of DIAGNOSTIC_CODES) {
    if (ELSEWHERE[code]) continue;
    test(code, () => {
      const text = TRIGGERS[code];
      expect(text, `no trigger for ${code}`).toBeDefined();
      const codes = parsePipeline(text!).diagnostics.map((d) => d.code);
      expect(codes).toContain(code);
    });
  }

  test('missing-input, input-type and unknown-input from resolveInputs', () => {
    const pipeline = parsePipeline(
      `${H}inputs: { x: { type: integer } }\nsteps:\n  - { id: a, prompt: "\${{ inputs.x }}" }\n`,
    ).pipeline!;
    expect(resolveInputs(pipeline, {}).diagnostics.map((d) => d.code)).toEqual(['missing-input']);
    expect(resolveInputs(pipeline, { x: 'a', y: 1 }).diagnostics.map((d) => d.code)).toEqual([
      'unknown-input',
      'input-type',
    ]);
  });

  test('the table lists only real codes', () => {
    for (const code of [...Object.keys(TRIGGERS), ...Object.keys(ELSEWHERE)]) {
      expect(DIAGNOSTIC_CODES).toContain(code);
    }
  });
});
