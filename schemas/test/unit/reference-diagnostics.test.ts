import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isTemplatePath, parsePipeline, readRaw, templateFields } from '../../src/index.js';
import { HEADER, expectDiagnostics } from './helpers/cursor.js';

const INPUTS = `inputs:
  text: { type: string }
  config: { type: object, default: {} }
`;

describe('expressions and references', () => {
  test('unknown-input, with a suggestion or the declared list', () => {
    const r = expectDiagnostics(
      `${HEADER}${INPUTS}steps:
  - id: a
    prompt: "\${{ ⟦inputs.txt⟧ }} and \${{ ⟦inputs.other⟧ }} and \${{ inputs.text }} \${{ inputs.config.x }}"
`,
      ['unknown-input', 'unknown-input'],
    );
    expect(r.matched.map((d) => d.message)).toEqual([
      'unknown input "txt" (did you mean "text"?)',
      'unknown input "other" (declared: text, config)',
    ]);
  });

  test('unknown-input without any inputs declared', () => {
    expectDiagnostics(`${HEADER}steps:\n  - id: a\n    prompt: \${{ ⟦inputs.x⟧ }}\n`, [
      { code: 'unknown-input', message: 'unknown input "x" (declare it under "inputs")' },
    ]);
  });

  test('reference-not-upstream: a hint to add it to needs', () => {
    expectDiagnostics(
      `${HEADER}steps:
  - id: a
    prompt: x
  - id: b
    prompt: x
  - id: c
    needs: [a]
    prompt: "\${{ steps.a.output }} \${{ ⟦steps.b.output⟧ }}"
`,
      [
        {
          code: 'reference-not-upstream',
          message: 'step "b" is not upstream of "c": add it to needs (needs: [a, b])',
        },
      ],
    );
  });

  test('reference-not-upstream: downstream steps and the step itself', () => {
    expectDiagnostics(
      `${HEADER}steps:
  - id: a
    prompt: "\${{ ⟦steps.b.output⟧ }} \${{ ⟦steps.a.output⟧ }}"
  - id: b
    needs: [a]
    prompt: x
`,
      [
        { code: 'reference-not-upstream', message: 'step "b" runs after "a" (it depends on it)' },
        { code: 'reference-not-upstream', message: 'step "a" cannot use its own output' },
      ],
    );
  });

  test('transitive needs are upstream; pipeline outputs may reference any step', () => {
    const r = parsePipeline(`${HEADER}steps:
  - { id: a, prompt: x }
  - { id: b, needs: [a], prompt: x }
  - { id: c, needs: b, prompt: "\${{ steps.a.output }}" }
  - { id: d, prompt: x }
outputs:
  all: "\${{ steps.d.output }} \${{ steps.c.output }}"
`);
    expect(r.diagnostics).toEqual([]);
  });

  test('unresolved-reference: unknown step, wrong field, bad root, fields of plain outputs', () => {
    const r = expectDiagnostics(
      `${HEADER}${INPUTS}steps:
  - id: summarize
    prompt: x
  - id: b
    needs: [summarize]
    messages:
      - role: user
        content: >-
          \${{ ⟦steps.summarise.output⟧ }} \${{ ⟦steps.summarize.outptu⟧ }} \${{ ⟦env.HOME⟧ }}
          \${{ ⟦steps.summarize.outputs.tags⟧ }} \${{ ⟦steps.summarize.output.x⟧ }} \${{ ⟦inputs.text.x⟧ }}
          \${{ ⟦steps⟧ }} \${{ ⟦inputs⟧ }} \${{ ⟦steps.summarize.outputs⟧ }}
`,
      Array(9).fill('unresolved-reference'),
    );
    expect(r.matched.map((d) => d.message)).toEqual([
      'unknown step "summarise" (did you mean "summarize"?)',
      'expected steps.summarize.output or steps.summarize.outputs.<field>, got "steps.summarize.outptu" (did you mean "output"?)',
      'unknown name "env" in "env.HOME": expressions start with inputs.<name> or steps.<id>',
      'step "summarize" has no output.schema, so its output has no fields: use steps.summarize.output',
      'step "summarize" has no output.schema, so its output has no fields: use steps.summarize.output',
      'input "text" is a string, so it has no field "x"',
      'expected steps.<id>.output',
      'expected inputs.<name>',
      'expected steps.summarize.outputs.<field>',
    ]);
  });

  test('structured outputs: declared fields resolve, unknown-output-field otherwise', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:
  - id: tags
    prompt: x
    output:
      schema:
        type: object
        properties:
          tags: { type: array, items: { type: string, maxLength: 20 }, maxItems: 5 }
  - id: use
    needs: [tags]
    prompt: "\${{ steps.tags.outputs.tags }} \${{ steps.tags.output.tags.0 }} \${{ ⟦steps.tags.outputs.tag⟧ }}"
`,
      ['unknown-output-field'],
    );
    expect(r.matched[0]!.message).toBe(
      'the output.schema of step "tags" has no property "tag" (did you mean "tags"?)',
    );
  });

  test('expression-syntax: unterminated, empty, nested, not a path', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:
  - id: a
    prompt: "⟦\${{ }}⟧ \${{ ⟦inputs.a + 1⟧ }} \${{ ⟦inputs..a⟧ }} \${{ ⟦inputs.a⟧"
`,
      ['expression-syntax', 'expression-syntax', 'expression-syntax', 'expression-syntax'],
    );
    expect(r.matched.map((d) => d.message)).toEqual([
      'empty expression',
      'invalid reference "inputs.a + 1": expected a dotted path such as inputs.name or steps.id.output',
      'invalid reference "inputs..a": empty path segment',
      'unterminated expression: missing "}}"',
    ]);
  });

  test('escaped expressions are literal text', () => {
    const r = parsePipeline(
      `${HEADER}steps:\n  - id: a\n    prompt: "Write a GitHub workflow using $\${{ secrets.TOKEN }}"\n`,
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.references).toEqual([]);
  });

  test('expression-not-evaluated: expressions outside template fields (not in descriptions)', () => {
    expectDiagnostics(
      `${HEADER}  description: "uses \${{ inputs.x }}"
steps:
  - id: a
    model: ⟦"\${{ inputs.model }}"⟧
    resources: { labels: { zone: ⟦"\${{ x }}"⟧ } }
    prompt: x
`,
      [
        { code: 'expression-not-evaluated', severity: 'warning' },
        { code: 'expression-not-evaluated', severity: 'warning' },
      ],
    );
  });

  test('unused-input is informational, on the input name', () => {
    expectDiagnostics(
      `${HEADER}inputs:\n  ⟦unused⟧: { type: string, default: x }\nsteps:\n  - id: a\n    prompt: x\n`,
      [{ code: 'unused-input', severity: 'info' }],
      { infos: true },
    );
  });

  test('ranges are exact in plain, quoted, block and flow scalars; approximate when escapes change them', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:
  - id: a
    prompt: plain \${{ ⟦inputs.a⟧ }}
  - id: b
    prompt: 'single \${{ ⟦inputs.b⟧ }}'
  - id: c
    prompt: |
      block
        \${{ ⟦inputs.c⟧ }}
  - { id: d, embed: [x, "\${{ ⟦inputs.d⟧ }}"] }
  - id: e
    prompt: ⟦"escaped \${{ inputs.\\x65 }}"⟧
`,
      Array(5).fill('unknown-input'),
    );
    expect(r.references.map((x) => x.exact)).toEqual([true, true, true, true, false]);
    expect(r.references[0]).toMatchObject({ expression: 'inputs.a', path: ['inputs', 'a'], stepId: 'a' });
  });

  test('references survive a syntax error elsewhere in the file', () => {
    const r = parsePipeline(
      `${HEADER}steps:\n  - id: a\n    prompt: "\${{ inputs.x }}"\n  - id: b\n    prompt: [unclosed\n`,
    );
    expect(r.diagnostics.map((d) => d.code)).toContain('yaml-syntax');
    expect(r.references.map((x) => x.expression)).toEqual(['inputs.x']);
  });

  test('references are exported with document offsets for editors', () => {
    const text = `${HEADER}steps:\n  - id: a\n    prompt: "hello \${{ inputs.name }}"\ninputs: { name: { default: x } }\n`;
    const [ref] = parsePipeline(text).references;
    expect(text.slice(ref!.start, ref!.end)).toBe('${{ inputs.name }}');
    expect(ref!.field).toEqual(['steps', 0, 'prompt']);
    expect(ref!.fullRange.start.character).toBe(text.split('\n')[6]!.indexOf('${{'));
  });
});

describe('template fields', () => {
  test('isTemplatePath says yes to every field templateFields lists, and no to other strings', () => {
    const raw = readRaw(
      parseYaml(`steps:
  - id: a
    prompt: "\${{ inputs.x }}"
    model: m
  - id: b
    embed: ["\${{ steps.a.output }}", plain]
  - id: c
    embed: one
  - id: d
    messages:
      - { role: user, content: "\${{ steps.a.output }}" }
outputs: { out: "\${{ steps.d.output }}" }
metadata: { name: n }
`),
    );
    const paths = templateFields(raw).map((f) => f.path);
    expect(paths).toHaveLength(6);
    for (const p of paths) expect(isTemplatePath(p)).toBe(true);
    for (const p of [
      ['steps', 0, 'model'],
      ['steps', 3, 'messages', 0, 'role'],
      ['metadata', 'name'],
      ['outputs'],
      ['steps', 'prompt'],
      ['steps', 1, 'embed', 'x'],
      ['outputs', 'out', 'deeper'],
    ])
      expect(isTemplatePath(p)).toBe(false);
  });
});
