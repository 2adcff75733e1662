// bench:pipeline's settings (command-line flags) and small helpers shared by its parts.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobState } from '@orchion/api';
import { flagReader } from '../lib/process';

export const args = process.argv.slice(2);
export const flag = flagReader(args);
/** This script's bundle: bench/dist/pipeline.js. */
const self = fileURLToPath(import.meta.url);
export const root = join(self, '../../..');

export const PART = flag('part', 'all');
export const JOBS = Number(flag('jobs', '20'));
export const STEPS = Number(flag('steps', '500'));
export const CHAINS = Number(flag('chains', '200'));
export const CHAIN_LENGTH = Number(flag('chain-length', '10'));
export const AGENTS = Number(flag('agents', '2'));
export const SLOTS = Number(flag('slots', '64'));
export const ROUNDS = Number(flag('rounds', '21'));
export const MAX_TOKENS = Number(flag('max-tokens', '200'));
/** `--cli PATH`: the orchion CLI bundle to run (e.g. a private build, so that a rebuild mid-run changes nothing). */
export const CLI = flag('cli', join(root, 'orchestrator/dist/cli.js'));
/** `--cpu-prof [DIR]`: profile the echo part's orchestrator and first agent (default dir: artifacts/cpu-prof). */
export const CPU_PROF = args.includes('--cpu-prof')
  ? flag('cpu-prof', '').startsWith('--') || flag('cpu-prof', '') === ''
    ? join(root, 'artifacts/cpu-prof')
    : flag('cpu-prof', '')
  : undefined;
/** `--timeline`: part 1 prints each workload's CPU per finished task in 500 ms windows (timeline.ts). */
export const TIMELINE = args.includes('--timeline');
/** `--client http|fetch`: how jobs are submitted (cluster.ts `submit`). */
export const CLIENT = flag('client', 'http');
/** Submissions in flight at once. */
export const SUBMIT_CONCURRENCY = 4;
/** An echo step's prompt: 4 word tokens out. */
export const ECHO_PROMPT = 'alpha beta gamma delta';
export const TERMINAL: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** Other work on the machine skews every figure: print the load average beside them. */
export const load = () => `load average ${loadavg()[0]!.toFixed(2)}`;

/** The 25th, 50th and 75th percentiles and the extremes of `xs` (nearest rank). */
export function spread(xs: number[]): { min: number; p25: number; median: number; p75: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
  return { min: s[0]!, p25: at(0.25), median: median(s), p75: at(0.75), max: s[s.length - 1]! };
}
