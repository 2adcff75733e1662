/**
 * Ollama's `keep_alive`: how long a model stays loaded after a request. A number is seconds, a string is a Go
 * duration ("300ms", "1.5h", "2h45m") or a number of seconds; negative means forever, 0 unloads at once.
 */

/** Milliseconds; Infinity for forever. */
export type KeepAliveMs = number;

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const GO_DURATION = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g;

/** Parses a keep_alive value; undefined when absent; throws an Error with a message for malformed values. */
export function parseKeepAlive(value: unknown): KeepAliveMs | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`invalid keep_alive ${value}`);
    return value < 0 ? Infinity : value * 1000;
  }
  if (typeof value !== 'string') throw new Error('keep_alive must be a number or a duration string');
  const text = value.trim();
  if (/^[-+]?\d+(\.\d+)?$/.test(text)) return parseKeepAlive(Number(text));
  const m = GO_DURATION.exec(text);
  if (!m) throw new Error(`invalid keep_alive duration ${JSON.stringify(value)}`);
  let ms = 0;
  for (const [, n, unit] of text.matchAll(PART)) ms += Number(n) * (UNITS[unit as string] ?? 0);
  return m[1] === '-' ? Infinity : ms;
}
