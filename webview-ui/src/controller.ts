// Feeds the store from the API through a Transport: the first snapshot, the live event stream (reconnecting and
// resuming), job details, job logs, and the few actions the dashboard offers (cancel, rerun, load more).
// No DOM: the components call it and read the store.
import type {
  JobSummary,
  JobView,
  ListJobsResponse,
  ListNodesResponse,
  LogEntry,
  NodeView,
  OrchionEvent,
} from '@orchion/api';
import type { DashboardStore } from './data/store';
import { openLiveStream, type LiveState, type LiveStream } from './transport/live-stream';
import { call, type Transport } from './transport/transport';

export const JOBS_PAGE = 100;

export interface ControllerEvents {
  /** The event stream's state ('open' once the server answered or sent an event). */
  liveState?(state: LiveState, detail?: string): void;
  /** A load or action failed (shown to the user once). */
  error?(message: string): void;
}

export class DashboardController {
  private events: LiveStream | undefined;
  /** Events that arrive while a snapshot loads: applied after it, in order. */
  private buffered: OrchionEvent[] | null = null;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly store: DashboardStore,
    private readonly on: ControllerEvents = {},
  ) {}

  /** Subscribes to events first (so nothing between the snapshot and the stream is lost), then loads. */
  async start(): Promise<void> {
    this.events?.close();
    this.events = openLiveStream(this.transport, '/api/v1/events', {
      onFrame: (f) => {
        const event = parseEvent(f.event, f.data, f.lastEventId);
        if (!event) return;
        if (this.buffered) this.buffered.push(event);
        else this.applyEvent(event);
      },
      onState: (s, detail) => this.on.liveState?.(s, detail),
    });
    await this.refresh();
  }

  stop(): void {
    this.events?.close();
    this.events = undefined;
  }

  retryNow(): void {
    this.events?.retryNow();
  }

  private applyEvent(event: OrchionEvent): void {
    this.store.apply(event);
    if (event.type === 'reset') void this.refresh();
  }

  /** Loads nodes and the newest jobs, then the details of unfinished jobs (their steps fill the node slots). */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    this.buffered = [];
    try {
      const nodes: NodeView[] = [];
      let cursor: string | null = null;
      do {
        const page: ListNodesResponse = await call(
          this.transport,
          'GET',
          `/api/v1/nodes?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        nodes.push(...page.nodes);
        cursor = page.nextCursor;
      } while (cursor);
      const jobs = await call<ListJobsResponse>(this.transport, 'GET', `/api/v1/jobs?limit=${JOBS_PAGE}`);
      this.store.setSnapshot(nodes, jobs.jobs, jobs.nextCursor);
    } catch (err) {
      this.on.error?.(`Could not load the cluster: ${(err as Error).message}`);
      throw err;
    } finally {
      const buffered = this.buffered ?? [];
      this.buffered = null;
      for (const e of buffered) this.applyEvent(e);
    }
    const active = this.store.jobs('active').slice(0, 20);
    await Promise.all(active.map((j) => this.openJob(j.id).catch(() => undefined)));
  }

  async loadMoreJobs(): Promise<void> {
    const cursor = this.store.nextJobsCursor;
    if (!cursor) return;
    try {
      const page = await call<ListJobsResponse>(
        this.transport,
        'GET',
        `/api/v1/jobs?limit=${JOBS_PAGE}&cursor=${encodeURIComponent(cursor)}`,
      );
      this.store.addJobs(page.jobs, page.nextCursor);
    } catch (err) {
      this.on.error?.(`Could not load more jobs: ${(err as Error).message}`);
    }
  }

  /** Fetches a job in full (pipeline, inputs, outputs, steps). */
  async openJob(id: string): Promise<JobView> {
    const view = await call<JobView>(this.transport, 'GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
    this.store.setJob(view);
    return view;
  }

  async cancelJob(id: string): Promise<void> {
    try {
      this.store.setJob(
        await call<JobView>(this.transport, 'POST', `/api/v1/jobs/${encodeURIComponent(id)}/cancel`, {}),
      );
    } catch (err) {
      this.on.error?.(`Could not cancel the job: ${(err as Error).message}`);
    }
  }

  /** Submits the job's pipeline again with the same inputs; resolves with the new job. */
  async rerunJob(id: string): Promise<JobSummary | undefined> {
    try {
      const job = this.store.jobDetail(id) ?? (await this.openJob(id));
      const created = await call<JobView>(this.transport, 'POST', '/api/v1/jobs', {
        pipeline: job.pipeline,
        inputs: job.inputs,
      });
      this.store.setJob(created);
      return created;
    } catch (err) {
      this.on.error?.(`Could not rerun the job: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Runs a host command (VS Code only). */
  command(command: string, args?: unknown[]): void {
    this.transport.command(command, args);
  }

  /**
   * Follows a job's logs (stored entries first, then live ones until the job ends), resuming after the last entry
   * when the stream drops. Returns the stream (close it when the view goes away).
   */
  followLogs(
    jobId: string,
    onEntries: (entries: LogEntry[]) => void,
    onState: (state: LiveState, detail?: string) => void,
    afterId?: number,
  ): LiveStream {
    return openLiveStream(this.transport, `/api/v1/jobs/${encodeURIComponent(jobId)}/logs?follow=1`, {
      lastEventId: afterId ? String(afterId) : undefined,
      onFrame: (f) => {
        if (f.event === 'end') return;
        try {
          onEntries([JSON.parse(f.data) as LogEntry]);
        } catch {
          // a malformed frame is skipped
        }
      },
      isFinal: (f) => f.event === 'end',
      onState,
    });
  }
}

/** An SSE frame of /api/v1/events as an event (`data` is `{time, data}`); undefined when malformed. */
export function parseEvent(type: string, data: string, id: string | undefined): OrchionEvent | undefined {
  try {
    const body = JSON.parse(data) as { time?: string; data?: unknown; reason?: string };
    if (type === 'reset')
      return { id: Number(id ?? 0), type: 'reset', time: new Date().toISOString(), data: body };
    if (typeof body !== 'object' || body === null || body.time === undefined) return undefined;
    return { id: Number(id), type: type as OrchionEvent['type'], time: body.time, data: body.data };
  } catch {
    return undefined;
  }
}
