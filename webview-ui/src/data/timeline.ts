// Step timelines (pure): where each step's waiting and running time falls within its job, as fractions of the
// job's span, for the per-step bars of the job detail.
import type { StepState, StepView } from '@orchion/api';

export interface TimelineRow {
  id: string;
  state: StepState;
  /** Fractions of the span (0..1): the step waited from queuedAt to start, ran from start to end. */
  queued: { left: number; width: number } | null;
  running: { left: number; width: number } | null;
  /** Milliseconds it ran (or has been running), undefined when it never started. */
  durationMs: number | undefined;
  attempts: number;
}

export interface Timeline {
  /** Epoch ms of the span's start and end. */
  start: number;
  end: number;
  rows: TimelineRow[];
  /** Tick positions (fractions) with their offsets from the start in ms. */
  ticks: { at: number; ms: number }[];
}

const time = (iso: string | null | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
};

const NICE_STEPS = [
  100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000,
  3_600_000,
];

/** The span runs from the job's creation to its end (or `now` while it runs); steps in pipeline order. */
export function stepTimeline(
  job: { createdAt: string; finishedAt: string | null },
  steps: readonly StepView[],
  now: number,
): Timeline {
  const start = time(job.createdAt) ?? now;
  let end = time(job.finishedAt) ?? now;
  for (const s of steps) end = Math.max(end, time(s.finishedAt) ?? start);
  const span = Math.max(1, end - start);
  const frac = (from: number, to: number): { left: number; width: number } => ({
    left: Math.min(1, Math.max(0, (from - start) / span)),
    width: Math.min(1, Math.max(0, (to - from) / span)),
  });
  const rows = steps.map((s): TimelineRow => {
    const firstQueued = time(s.attempts[0]?.queuedAt);
    const started = time(s.startedAt) ?? time(s.attempts.find((a) => a.startedAt)?.startedAt);
    const finished = time(s.finishedAt);
    const runEnd = finished ?? (s.state === 'running' ? end : undefined);
    return {
      id: s.id,
      state: s.state,
      queued:
        firstQueued !== undefined
          ? frac(firstQueued, started ?? finished ?? (s.state === 'queued' ? end : firstQueued))
          : null,
      running: started !== undefined && runEnd !== undefined ? frac(started, runEnd) : null,
      durationMs: started !== undefined ? (runEnd ?? end) - started : undefined,
      attempts: s.attempts.length,
    };
  });
  const step = NICE_STEPS.find((n) => span / n <= 6) ?? Math.ceil(span / 6);
  const ticks: Timeline['ticks'] = [];
  for (let ms = 0; ms <= span; ms += step) ticks.push({ at: ms / span, ms });
  return { start, end, rows, ticks };
}
