// Small display helpers shared by the trees, the status bar and the log channels (pure).

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB"; one decimal below 10 of a unit, none above. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** 950 → "950 ms", 12_300 → "12.3 s", 125_000 → "2 m 5 s", 7_500_000 → "2 h 5 m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)} m ${totalSeconds % 60} s`;
  const minutes = Math.round(totalSeconds / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} m`;
}

/** Duration between two ISO times; a missing end means "until now". Undefined without a start. */
export function elapsed(
  start: string | null,
  end: string | null,
  now: number = Date.now(),
): number | undefined {
  if (!start) return undefined;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  if (!Number.isFinite(from) || !Number.isFinite(to)) return undefined;
  return Math.max(0, to - from);
}

/** The first 8 characters of an id, as the CLI prints them. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function percent(part: number, whole: number): string {
  if (!(whole > 0)) return '';
  return `${Math.round((part / whole) * 100)}%`;
}
