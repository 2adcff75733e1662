// Time series for the small charts (pure): a bounded ring of samples, step-line geometry for sparklines, and
// counts per time bucket (e.g. jobs finished per minute).

export interface Sample {
  /** Epoch ms. */
  t: number;
  v: number;
}

/** Keeps the newest `capacity` samples; a sample with the same value as the last one only moves time on. */
export class SampleRing {
  private readonly items: Sample[] = [];

  constructor(private readonly capacity = 240) {}

  push(t: number, v: number): void {
    const last = this.items[this.items.length - 1];
    if (last && t < last.t) return; // out of order: ignore
    if (last && last.v === v && this.items.length >= 2 && this.items[this.items.length - 2]!.v === v) {
      last.t = t; // a flat run keeps only its first and last sample
      return;
    }
    this.items.push({ t, v });
    if (this.items.length > this.capacity) this.items.shift();
  }

  /** Adds a sample at its place in time (for samples that may come out of order, e.g. from several jobs). */
  insert(t: number, v: number): void {
    let i = this.items.length;
    while (i > 0 && this.items[i - 1]!.t > t) i--;
    this.items.splice(i, 0, { t, v });
    if (this.items.length > this.capacity) this.items.shift();
  }

  get size(): number {
    return this.items.length;
  }

  /** The samples, oldest first (a copy). */
  samples(): Sample[] {
    return this.items.map((s) => ({ ...s }));
  }

  last(): Sample | undefined {
    return this.items[this.items.length - 1];
  }
}

/**
 * The time window of a history chart: the last `maxMs`, or less when the history is younger (a fresh page), so
 * the line fills the chart; never under `minMs`.
 */
export function chartWindow(
  samples: readonly Sample[],
  now: number,
  maxMs: number,
  minMs = 60_000,
): { from: number; to: number } {
  const first = samples[0]?.t ?? now;
  const span = Math.min(maxMs, Math.max(minMs, now - first));
  return { from: now - span, to: now };
}

export interface ChartBox {
  /** Window start and end (epoch ms). */
  from: number;
  to: number;
  width: number;
  height: number;
  /** The value at the top edge (values above are clipped). */
  max: number;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/**
 * An SVG path drawing the samples as a step line across the window: each value holds until the next sample, the
 * last one until `to`; the value before the window (if any) starts it at the left edge. Empty when no sample
 * falls in or before the window.
 */
export function stepPath(samples: readonly Sample[], box: ChartBox): string {
  const span = Math.max(1, box.to - box.from);
  const x = (t: number): number =>
    round(((Math.min(Math.max(t, box.from), box.to) - box.from) / span) * box.width);
  const y = (v: number): number =>
    round(box.height - (Math.min(Math.max(v, 0), box.max) / (box.max || 1)) * box.height);
  let start = -1;
  for (let i = 0; i < samples.length; i++) if (samples[i]!.t <= box.from) start = i;
  const visible = samples.slice(Math.max(start, 0)).filter((s) => s.t <= box.to);
  if (visible.length === 0) return '';
  let d = `M${x(visible[0]!.t)},${y(visible[0]!.v)}`;
  for (let i = 1; i < visible.length; i++) {
    const s = visible[i]!;
    d += `H${x(s.t)}V${y(s.v)}`;
  }
  return d + `H${x(box.to)}`;
}

/** The area under a step line from stepPath, closed along the bottom edge at `height`. */
export function stepArea(line: string, height: number): string {
  const x0 = /^M(-?[\d.]+),/.exec(line)?.[1];
  return x0 === undefined ? '' : `${line}V${height}H${x0}Z`;
}

/** Bars for per-bucket counts: the SVG rects' geometry, left to right. */
export function barRects(
  counts: readonly number[],
  width: number,
  height: number,
  gap = 1,
): { x: number; y: number; width: number; height: number }[] {
  const max = Math.max(1, ...counts);
  const w = counts.length ? width / counts.length : 0;
  return counts.map((c, i) => {
    const h = round((c / max) * height);
    return { x: round(i * w), y: round(height - h), width: round(Math.max(0.5, w - gap)), height: h };
  });
}

/** How many of `times` fall in each of the `count` buckets of `bucketMs` that end at `now` (oldest first). */
export function bucketCounts(
  times: readonly number[],
  now: number,
  bucketMs: number,
  count: number,
): number[] {
  const counts = new Array<number>(count).fill(0);
  const start = now - bucketMs * count;
  for (const t of times) {
    if (!Number.isFinite(t) || t <= start || t > now) continue;
    const i = Math.min(count - 1, Math.floor((t - start) / bucketMs));
    counts[i]!++;
  }
  return counts;
}
