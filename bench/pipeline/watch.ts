// Knowing when bench:pipeline's jobs are done: polling the jobs list (part 1), or following /api/v1/events.
import type { JobSummary } from '@orchion/api';
import { sleep } from '../lib/process';
import type { Cluster } from './cluster';
import { TERMINAL } from './options';

/**
 * Waits until the orchestrator has no queued or running job (polling two one-job pages, which costs it little),
 * then returns the summaries of `ids`. Part 1 watches this way rather than on /api/v1/events: an SSE client is
 * cut off under this load and cannot resume (see docs/benchmarks.md).
 */
export async function waitIdle(c: Cluster, ids: string[], timeoutMs: number): Promise<JobSummary[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [queued, running] = await Promise.all([
      c.client.listJobs({ state: 'queued', limit: 1 }),
      c.client.listJobs({ state: 'running', limit: 1 }),
    ]);
    if (queued.jobs.length === 0 && running.jobs.length === 0) break;
    c.check();
    if (Date.now() > deadline) throw new Error(`jobs still unfinished after ${timeoutMs / 1000} s`);
    await sleep(50);
  }
  const all = new Map<string, JobSummary>();
  let cursor: string | undefined;
  do {
    const page = await c.client.listJobs({ limit: 500, cursor });
    for (const j of page.jobs) all.set(j.id, j);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids.map((id) => all.get(id)!);
}

/**
 * Follows /api/v1/events and records when each job is seen finished (resuming with Last-Event-ID if the stream
 * drops). Only `job.updated` frames are parsed; the `step.updated` ones are skipped unread.
 */
export class JobWatcher {
  /** When each job was seen finished: `at` on the performance clock, `date` on the wall clock. */
  readonly finished = new Map<string, { at: number; date: number; summary: JobSummary }>();
  readonly connected: Promise<void>;
  private readonly ac = new AbortController();
  private lastId: string | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
    /** Throws when a process of the cluster has died. */
    private readonly check: () => void,
  ) {
    let ready!: () => void;
    this.connected = new Promise((r) => (ready = r));
    void this.loop(ready);
  }

  close(): void {
    this.ac.abort();
  }

  /** Resolves with the time the last of `ids` was seen finished. */
  async waitAll(ids: string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = ids.filter((id) => !this.finished.has(id));
      if (missing.length === 0) return Math.max(...ids.map((id) => this.finished.get(id)!.at));
      this.check();
      if (Date.now() > deadline) throw new Error(`${missing.length} of ${ids.length} jobs did not finish`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 1000);
      });
    }
  }

  private async loop(ready: () => void): Promise<void> {
    while (!this.ac.signal.aborted) {
      try {
        const headers: Record<string, string> = {
          authorization: `Bearer ${this.token}`,
          accept: 'text/event-stream',
        };
        if (this.lastId) headers['last-event-id'] = this.lastId;
        const res = await fetch(`${this.url}/api/v1/events`, { headers, signal: this.ac.signal });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        ready();
        const decoder = new TextDecoder();
        let buf = '';
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            this.frame(buf.slice(0, end));
            buf = buf.slice(end + 2);
          }
        }
      } catch (err) {
        if (this.ac.signal.aborted) return;
        console.error(
          `  (events stream dropped: ${(err as Error).message} ${String((err as Error).cause ?? '')}; resuming)`,
        );
      }
      await sleep(100);
    }
  }

  private frame(text: string): void {
    let event = '';
    let data = '';
    for (const line of text.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) this.lastId = line.slice(4);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (event !== 'job.updated') return;
    const summary = (JSON.parse(data) as { data: JobSummary }).data;
    if (!TERMINAL.has(summary.state) || this.finished.has(summary.id)) return;
    this.finished.set(summary.id, { at: performance.now(), date: Date.now(), summary });
    this.wake?.();
  }
}
