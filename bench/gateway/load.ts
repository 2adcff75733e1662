// bench:gateway's load generator: one HTTP request at a time over a shared keep-alive agent, an open loop at a
// fixed rate and a closed loop at a fixed concurrency. Every path (direct, a reference proxy, the gateway) is a
// Target, so the rounds of all paths are driven by the same code.
import { Agent, request } from 'node:http';
import { sleep } from '../lib/process';

export interface Target {
  /** `direct`, `gateway` or a reference proxy's name (`nginx`, `haproxy`). */
  name: string;
  path: string;
  port: number;
  headers: Record<string, string>;
  body(stream: boolean): string;
}

export const agent = new Agent({
  keepAlive: true,
  maxSockets: 1024,
  maxFreeSockets: 1024,
  scheduling: 'lifo',
});

/** One request: resolves with [time to the first body byte, total] in ms, or rejects. */
export function once(t: Target, payload: string): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let first = 0;
    const req = request(
      {
        host: '127.0.0.1',
        port: t.port,
        path: t.path,
        method: 'POST',
        agent,
        headers: {
          ...t.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        res.on('data', () => {
          if (first === 0) first = performance.now() - start;
        });
        res.on('end', () =>
          res.statusCode === 200
            ? resolve([first, performance.now() - start])
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface RoundResult {
  firstByte: number[];
  total: number[];
  errors: number;
  sent: number;
  elapsedMs: number;
}

/** Open loop: `rate` requests/s for `ms`, whatever the answers' pace. */
export async function openLoop(t: Target, stream: boolean, rate: number, ms: number): Promise<RoundResult> {
  const payload = t.body(stream);
  const out: RoundResult = { firstByte: [], total: [], errors: 0, sent: 0, elapsedMs: 0 };
  const pending: Promise<void>[] = [];
  const start = performance.now();
  while (performance.now() - start < ms) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (out.sent < due) {
      out.sent++;
      pending.push(
        once(t, payload).then(
          ([fb, total]) => {
            out.firstByte.push(fb);
            out.total.push(total);
          },
          () => void out.errors++,
        ),
      );
    }
    await sleep(1);
  }
  await Promise.all(pending);
  out.elapsedMs = performance.now() - start;
  return out;
}

/** Closed loop: `concurrency` requests always in flight for `ms`; completed requests per second. */
export async function closedLoop(
  t: Target,
  ms: number,
  concurrency: number,
): Promise<{ rps: number; errors: number; done: number }> {
  const payload = t.body(false);
  let done = 0;
  let errors = 0;
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        await once(t, payload);
        done++;
      } catch {
        errors++;
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rps: done / ((performance.now() - start) / 1000), errors, done };
}

export const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** `xs` rotated left by `k`: round k of an interleaved run starts with a different path. */
export const rotate = <T>(xs: readonly T[], k: number): T[] => {
  const i = k % xs.length;
  return [...xs.slice(i), ...xs.slice(0, i)];
};
