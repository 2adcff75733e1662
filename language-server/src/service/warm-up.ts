/**
 * Warm-up: a few analyses of a generated pipeline (about 4,000 lines) when the server starts, so that the first
 * documents the user opens do not pay for compiling the schema validators and for cold, unoptimized code: without
 * it the first opens of a 5,000-line pipeline took 2–4× as long as later ones. It costs about 100 ms of CPU,
 * once, between the initialize handshake and the first request.
 */
import { analyze } from './analysis.js';
import { PiecewiseParser } from './piecewise-yaml.js';

/** A valid pipeline of `steps` chained steps, large enough to be parsed piece by piece. */
export function warmUpText(steps = 500): string {
  const out = [
    'apiVersion: orchion/v1',
    'kind: Pipeline',
    'metadata:',
    '  name: warm-up',
    'inputs:',
    '  topic: { type: string, default: x }',
    'steps:',
  ];
  for (let i = 0; i < steps; i++) {
    out.push(`  - id: s${i}`);
    if (i > 0) out.push(`    needs: [s${i - 1}]`);
    out.push(
      '    options:',
      '      temperature: 0.2',
      '    prompt: |',
      `      About \${{ inputs.topic }} (${i})`,
    );
    if (i > 0) out.push(`      After \${{ steps.s${i - 1}.output }}`);
  }
  out.push('outputs:', `  last: \${{ steps.s${steps - 1}.output }}`, '');
  return out.join('\n');
}

export function warmUp(): void {
  const text = warmUpText();
  for (let round = 0; round < 2; round++) {
    const pieces = new PiecewiseParser();
    analyze(text, pieces);
    // An edit too: the piecewise path that reuses unchanged steps.
    analyze(text.replace('(1)', '(one)'), pieces);
  }
}
