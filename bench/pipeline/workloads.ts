// The echo pipelines bench:pipeline submits, to the real cluster (part 1) and to the in-process engine (part 3).
import { ECHO_PROMPT } from './options';

const header = (name: string): string =>
  `apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: ${name} }\n` +
  `defaults: { model: echo, runtime: echo, options: { max_tokens: 16 } }\nsteps:\n`;

/** `steps` independent steps. */
export const fanOutPipeline = (steps: number): string =>
  header('fan-out') +
  Array.from({ length: steps }, (_, i) => `  - { id: s${i}, prompt: "${ECHO_PROMPT}" }\n`).join('');

/** A chain: each step echoes the output of the one before it. */
export const chainPipeline = (length: number): string =>
  header('chain') +
  Array.from({ length }, (_, i) =>
    i === 0
      ? `  - { id: s0, prompt: "${ECHO_PROMPT}" }\n`
      : `  - { id: s${i}, needs: [s${i - 1}], prompt: "\${{ steps.s${i - 1}.output }}" }\n`,
  ).join('');
