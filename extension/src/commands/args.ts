// Reading command arguments (pure): commands run from a tree item, the dashboard, a code lens, a test or the
// palette, each passing something different.
import type { Row } from '../views/rows';

/** A job id from a tree row, a job-like object or a plain id. */
export function jobIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  if (arg && typeof arg === 'object') {
    const row = arg as Partial<Row> & { id?: unknown };
    if (typeof row.jobId === 'string') return row.jobId;
    if (typeof row.kind !== 'string' && typeof row.id === 'string') return row.id;
  }
  return undefined;
}

/** A step id from a step row, or the second argument. */
export function stepIdOf(arg: unknown, second?: unknown): string | undefined {
  if (typeof second === 'string' && second) return second;
  if (arg && typeof arg === 'object' && typeof (arg as Partial<Row>).stepId === 'string')
    return (arg as Row).stepId;
  return undefined;
}

/** Submit options passed programmatically (tests, other extensions) as the second argument. */
export interface SubmitOptions {
  /** Input values to use without asking. */
  inputs?: Record<string, unknown>;
  /** false: don't ask for inputs (defaults apply). */
  prompt?: boolean;
  /** Run from this step (reusing the upstream outputs of `fromJob` when given). */
  fromStep?: string;
  fromJob?: string;
  /** Show the job's log channel (default: the `orchion.autoRevealLogs` setting). */
  revealLogs?: boolean;
}

/** The options object among a command's arguments (the Explorer passes an array of selected URIs instead). */
export function submitOptionsOf(arg: unknown): SubmitOptions {
  if (!arg || typeof arg !== 'object' || Array.isArray(arg)) return {};
  const o = arg as Record<string, unknown>;
  const known = ['inputs', 'prompt', 'fromStep', 'fromJob', 'revealLogs'];
  if (!Object.keys(o).some((k) => known.includes(k))) return {};
  return o as SubmitOptions;
}
