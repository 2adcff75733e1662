/**
 * Warm-up: a few analyses of a generated pipeline (about 5,000 lines) when the server starts, so that the first
 * documents the user opens do not pay for compiling the schema validators and for cold, unoptimized code. The
 * pipeline cycles through the step kinds of docs/pipelines.md (a prompt with options, a chat with retries and a
 * timeout, structured output, an embedding), so the code paths and object shapes a real pipeline meets are the
 * ones that get optimized. It costs about 0.55 s, once, after the initialize handshake (0.9 s of CPU with V8's
 * compiler threads, measured on a 2-core machine), in steps between messages (`warmUpSteps`).
 */
import { analyze } from './analysis.js';
import { PiecewiseParser } from './piecewise-yaml.js';

/** A valid pipeline of `steps` steps, each needing the one before, large enough to be parsed piece by piece. */
export function warmUpText(steps = 620): string {
  const out = [
    'apiVersion: orchion/v1',
    'kind: Pipeline',
    'metadata:',
    '  name: warm-up',
    '  description: Generated at start to warm the language server up',
    'inputs:',
    '  topic: { type: string, default: clusters }',
    '  count:',
    '    type: integer',
    '    default: 3',
    'defaults:',
    '  model: orchion-tiny',
    '  options:',
    '    temperature: 0.2',
    'steps:',
  ];
  for (let i = 0; i < steps; i++) {
    const prev = `s${i - 1}`;
    out.push(`  - id: s${i}`);
    if (i > 0) out.push(i % 2 ? `    needs: [${prev}]` : `    needs:\n      - ${prev}`);
    switch (i % 4) {
      case 0:
        out.push(
          '    model: orchion-tiny',
          '    options:',
          '      temperature: 0.7',
          '      max_tokens: 128',
          '    prompt: |',
          `      Write \${{ inputs.count }} lines about \${{ inputs.topic }} (${i}).`,
        );
        if (i > 0) out.push(`      Continue from: \${{ steps.${prev}.output }}`);
        break;
      case 1:
        out.push(
          '    messages:',
          '      - role: system',
          '        content: You are terse.',
          '      - role: user',
          `        content: 'Summarise: \${{ steps.${prev}.output }}'`,
          '    retries: 2',
          '    timeout: 120s',
        );
        break;
      case 2:
        out.push(
          `    prompt: "Tags for \${{ steps.${prev}.output }}"`,
          '    output:',
          '      schema:',
          '        type: object',
          '        properties:',
          '          tags: { type: array, items: { type: string }, maxItems: 5 }',
          '        required: [tags]',
        );
        break;
      default:
        out.push(`    embed: \${{ steps.${prev}.output }}`);
    }
  }
  out.push('outputs:', `  last: \${{ steps.s${steps - 1}.output }}`, '');
  return out.join('\n');
}

/**
 * The warm-up as steps of one analysis each, so that a server can run them between messages: a document opened
 * while it runs waits for one analysis, not for all of them.
 */
export function* warmUpSteps(): Generator<void, void, void> {
  const text = warmUpText();
  // Six rounds: after three, the first opens of a 5,000-line document still took two to four times as long as
  // later ones (code not yet optimized); after six, about as long (measured: 8–12 ms against 19–47 ms).
  for (let round = 0; round < 6; round++) {
    const pieces = new PiecewiseParser();
    analyze(text, pieces);
    yield;
    // An edit too: the piecewise path that reuses unchanged steps.
    analyze(text.replace('(8).', '(eight).'), pieces);
    yield;
  }
}
