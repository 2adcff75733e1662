// The Jobs view's model (pure): job summaries kept current from `job.*` events, the steps of jobs whose details
// were loaded kept current from `step.updated`, a state filter, and the rows that show them.
import type { JobState, JobSummary, JobView, OrchionEvent, StepView } from '@orchion/api';
import { elapsed, formatDuration, shortId } from './format';
import { errorRow, loadingRow, type Row, type RowIcon } from './rows';

export const STATE_ICONS: Record<JobState, RowIcon> = {
  queued: { id: 'clock', color: 'list.warningForeground' },
  running: { id: 'sync~spin', color: 'progressBar.background' },
  succeeded: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  cancelled: { id: 'circle-slash', color: 'disabledForeground' },
};
const ATTEMPT_ICONS: Record<string, RowIcon> = { ...STATE_ICONS, lost: { id: 'debug-disconnect' } };

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

/** How many jobs the view keeps (newest first); older finished ones are dropped. */
export const MAX_JOBS = 200;

type Detail = { steps: StepView[] } | { error: string };

export interface JobChange {
  /** The job concerned. */
  jobId: string;
  /** Whether the job itself (not only a step) changed. */
  job?: JobSummary;
  /** The step that changed, for `step.updated`. */
  step?: StepView;
}

export class JobsModel {
  private readonly jobs = new Map<string, JobSummary>();
  private readonly details = new Map<string, Detail>();
  /** Shown states; undefined shows every state. */
  filter: readonly JobState[] | undefined;
  loaded = false;
  error: string | undefined;

  reset(jobs: readonly JobSummary[]): void {
    this.jobs.clear();
    for (const j of jobs) this.jobs.set(j.id, j);
    this.loaded = true;
    this.error = undefined;
    // Loaded details stay (step events keep them current); details of jobs no longer listed go.
    for (const id of [...this.details.keys()]) if (!this.jobs.has(id)) this.details.delete(id);
  }

  fail(message: string): void {
    this.error = message;
  }

  clear(): void {
    this.jobs.clear();
    this.details.clear();
    this.loaded = false;
    this.error = undefined;
  }

  /** Applies one event; returns what changed, or undefined when nothing did (other kinds of events). */
  apply(event: OrchionEvent): JobChange | undefined {
    if (event.type === 'job.created' || event.type === 'job.updated') {
      const job = event.data as JobSummary | undefined;
      if (!job || typeof job.id !== 'string') return undefined;
      this.jobs.set(job.id, job);
      this.trim();
      return { jobId: job.id, job };
    }
    if (event.type === 'step.updated') {
      const { jobId, step } = (event.data ?? {}) as { jobId?: string; step?: StepView };
      if (typeof jobId !== 'string' || !step || typeof step.id !== 'string') return undefined;
      const detail = this.details.get(jobId);
      if (detail && 'steps' in detail) {
        const i = detail.steps.findIndex((s) => s.id === step.id);
        if (i >= 0) detail.steps[i] = step;
        else detail.steps.push(step);
      }
      return { jobId, step };
    }
    return undefined;
  }

  setDetail(job: JobView): void {
    this.jobs.set(job.id, summaryOf(job));
    this.details.set(job.id, { steps: [...job.stepDetails] });
  }

  setDetailError(jobId: string, message: string): void {
    this.details.set(jobId, { error: message });
  }

  hasDetail(jobId: string): boolean {
    const d = this.details.get(jobId);
    return d !== undefined && 'steps' in d;
  }

  get(id: string): JobSummary | undefined {
    return this.jobs.get(id);
  }

  steps(jobId: string): StepView[] | undefined {
    const d = this.details.get(jobId);
    return d && 'steps' in d ? d.steps : undefined;
  }

  /** Newest first, filtered by state. */
  list(): JobSummary[] {
    const all = [...this.jobs.values()].sort(newestFirst);
    return this.filter ? all.filter((j) => this.filter!.includes(j.state)) : all;
  }

  counts(): Record<JobState, number> {
    const counts: Record<JobState, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const j of this.jobs.values()) counts[j.state]++;
    return counts;
  }

  rows(now = Date.now()): Row[] {
    const rows = this.list().map((j) => jobRow(j, now));
    // A failed reload keeps what is known, under an error row that says so (with a retry).
    if (this.error !== undefined)
      return [errorRow('jobs-error', `Could not load jobs: ${this.error}`), ...rows];
    if (rows.length === 0 && this.filter && this.jobs.size > 0) {
      return [
        {
          id: 'jobs-filtered',
          kind: 'detail',
          label: `No ${this.filter.join(' or ')} jobs`,
          description: 'change the filter',
          icon: { id: 'filter' },
          collapsible: 'none',
          command: { command: 'orchion.filterJobs', title: 'Filter jobs' },
        },
      ];
    }
    return rows;
  }

  /** The children of a job row: its steps, a loading row until they are fetched, or an error row. */
  stepRows(jobId: string, hostname: (nodeId: string) => string, now = Date.now()): Row[] {
    const d = this.details.get(jobId);
    if (!d) return [loadingRow(`job:${jobId}:loading`)];
    if ('error' in d) return [errorRow(`job:${jobId}:error`, `Could not load steps: ${d.error}`)];
    return d.steps.map((s) => stepRow(jobId, s, hostname, now));
  }

  /** Drops the oldest finished jobs beyond MAX_JOBS. */
  private trim(): void {
    if (this.jobs.size <= MAX_JOBS) return;
    const finished = [...this.jobs.values()].filter((j) => TERMINAL_STATES.has(j.state)).sort(newestFirst);
    for (const j of finished.slice(Math.max(0, MAX_JOBS - (this.jobs.size - finished.length)))) {
      this.jobs.delete(j.id);
      this.details.delete(j.id);
    }
  }
}

function newestFirst(a: JobSummary, b: JobSummary): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

export function summaryOf(job: JobView): JobSummary {
  const { id, name, state, createdAt, startedAt, finishedAt, error, steps } = job;
  return { id, name, state, createdAt, startedAt, finishedAt, error, steps };
}

function stepCounts(job: JobSummary): string {
  const total = Object.values(job.steps ?? {}).reduce((s, n) => s + (n ?? 0), 0);
  const done = job.steps?.succeeded ?? 0;
  return `${done}/${total} steps`;
}

export function jobRow(job: JobSummary, now = Date.now()): Row {
  const took = elapsed(job.startedAt, job.finishedAt, now);
  const description = [
    job.state,
    shortId(job.id),
    stepCounts(job),
    took !== undefined ? formatDuration(took) : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return {
    id: `job:${job.id}`,
    kind: 'job',
    jobId: job.id,
    label: job.name,
    description,
    tooltip: [`${job.name} (${job.id})`, `State: ${job.state}`, `Created: ${job.createdAt}`, job.error ?? '']
      .filter(Boolean)
      .join('\n'),
    icon: STATE_ICONS[job.state],
    contextValue: `job.${job.state}`,
    collapsible: 'collapsed',
  };
}

export function stepRow(
  jobId: string,
  step: StepView,
  hostname: (nodeId: string) => string,
  now = Date.now(),
): Row {
  const last = step.attempts[step.attempts.length - 1];
  const took = elapsed(step.startedAt, step.finishedAt, now);
  const parts: string[] = [step.state];
  if (step.reusedFrom) parts.push(`reused from ${shortId(step.reusedFrom)}`);
  if (step.attempts.length > 1) parts.push(`attempt ${last?.attempt ?? step.attempts.length}`);
  if (last?.nodeId) parts.push(hostname(last.nodeId));
  if (took !== undefined) parts.push(formatDuration(took));
  if (step.state === 'queued' && step.waitingFor) parts.push(step.waitingFor);
  const tooltip = [
    `${step.id} (${step.kind}, model ${step.model}${step.runtime ? `, runtime ${step.runtime}` : ''})`,
    step.needs.length ? `Needs: ${step.needs.join(', ')}` : '',
    step.error ? `Error: ${step.error}` : '',
    step.waitingFor ? `Waiting for: ${step.waitingFor}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    id: `job:${jobId}:step:${step.id}`,
    kind: 'step',
    jobId,
    stepId: step.id,
    label: step.id,
    description: parts.join(' · '),
    tooltip,
    icon: STATE_ICONS[step.state],
    contextValue: `step.${step.state}`,
    collapsible: step.attempts.length > 0 ? 'collapsed' : 'none',
    command: { command: 'orchion.revealStep', title: 'Reveal step in YAML', arguments: [jobId, step.id] },
    children: step.attempts.map((a) => {
      const t = elapsed(a.startedAt, a.finishedAt, now);
      return {
        id: `job:${jobId}:attempt:${a.id}`,
        kind: 'attempt' as const,
        jobId,
        stepId: step.id,
        label: `Attempt ${a.attempt}`,
        description: [
          a.state,
          a.nodeId ? hostname(a.nodeId) : '',
          t !== undefined ? formatDuration(t) : '',
          a.tokens ? `${a.tokens} tokens` : '',
          a.error ?? '',
        ]
          .filter(Boolean)
          .join(' · '),
        tooltip: a.error ? `${a.errorCode ?? 'error'}: ${a.error}` : undefined,
        icon: ATTEMPT_ICONS[a.state] ?? { id: 'circle-outline' },
        contextValue: `attempt.${a.state}`,
        collapsible: 'none' as const,
      };
    }),
  };
}
