// The dashboard's state (pure, no DOM, no transport): nodes and jobs from a snapshot, kept current by the events
// of /api/v1/events; step details of the jobs it has seen; per-node utilisation history for the charts.
import type { JobState, JobSummary, JobView, NodeView, OrchionEvent, StepView } from '@orchion/api';
import { nodeGauges } from './node-usage';
import { SampleRing } from './series';

/** Jobs never go back from a finished state, nor from running to queued. */
const RANK: Record<JobState, number> = { queued: 0, running: 1, succeeded: 2, failed: 2, cancelled: 2 };
const TERMINAL = new Set<string>(['succeeded', 'failed', 'cancelled']);

export type JobFilter = 'all' | 'active' | JobState;

export class DashboardStore {
  private readonly nodeMap = new Map<string, NodeView>();
  private readonly jobMap = new Map<string, JobSummary>();
  /** Step views by job id, then step id (from job details and step.updated events). */
  private readonly stepMap = new Map<string, Map<string, StepView>>();
  /** Pipeline text, inputs and outputs of jobs fetched in full. */
  private readonly details = new Map<string, JobView>();
  private readonly usage = new Map<string, Map<string, SampleRing>>();
  /** Share of the ready nodes' slots in use over time (0..1), for the cluster utilisation chart. */
  readonly clusterSlots = new SampleRing(480);
  /** Tokens per second of recently finished steps, for the throughput chart. */
  readonly stepRates = new SampleRing(120);
  private readonly listeners = new Set<() => void>();
  /** Set by a `reset` event: the history was lost and the snapshot must be fetched again. */
  stale = false;
  /** Bumped on every change (components compare it). */
  version = 0;
  /** Cursor of the next page of older jobs; null when all are loaded. */
  nextJobsCursor: string | null = null;

  constructor(
    private readonly now: () => number = Date.now,
    /** Jobs kept in memory: past this, the oldest finished ones (and their steps) are forgotten. */
    private readonly maxJobs = 2000,
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  /** Replaces nodes and jobs with a fresh listing (the first load, or after a reset). */
  setSnapshot(nodes: readonly NodeView[], jobs: readonly JobSummary[], nextJobsCursor: string | null): void {
    this.nodeMap.clear();
    for (const n of nodes) this.putNode(n);
    const keep = new Set(jobs.map((j) => j.id));
    for (const id of [...this.jobMap.keys()]) if (!keep.has(id)) this.jobMap.delete(id);
    for (const j of jobs) this.jobMap.set(j.id, j);
    this.nextJobsCursor = nextJobsCursor;
    this.stale = false;
    this.recordSlots(this.now()); // the slot charts start when the page does
    this.changed();
  }

  /** Adds an older page of jobs (newer state already known wins). */
  addJobs(jobs: readonly JobSummary[], nextJobsCursor: string | null): void {
    for (const j of jobs) if (!this.jobMap.has(j.id)) this.jobMap.set(j.id, j);
    this.nextJobsCursor = nextJobsCursor;
    this.changed();
  }

  /** A job fetched in full (GET /api/v1/jobs/:id). */
  setJob(view: JobView): void {
    const known = this.stepMap.has(view.id);
    this.details.set(view.id, view);
    this.putJob(view);
    const steps = this.stepsOf(view.id, true);
    for (const s of view.stepDetails) {
      const before = steps.get(s.id);
      if (isOlderStep(before, s)) continue;
      steps.set(s.id, s);
      if (s.state === 'succeeded' && before?.state !== 'succeeded') this.recordRate(s);
    }
    if (!known && !TERMINAL.has(view.state)) this.recordSlots(this.now()); // its running steps count now
    this.changed();
  }

  /** Applies one event from /api/v1/events. Returns false for types it does not know. */
  apply(event: OrchionEvent): boolean {
    switch (event.type) {
      case 'node.registered':
      case 'node.updated':
      case 'node.ready':
      case 'node.stale':
      case 'node.offline':
        this.putNode(event.data as NodeView, Date.parse(event.time));
        break;
      case 'node.removed':
        this.nodeMap.delete((event.data as NodeView).id);
        this.usage.delete((event.data as NodeView).id);
        break;
      case 'job.created':
      case 'job.updated':
        this.putJob(event.data as JobSummary);
        if (TERMINAL.has((event.data as JobSummary).state)) this.recordSlots(this.now());
        break;
      case 'step.updated': {
        const { jobId, step } = event.data as { jobId: string; step: StepView };
        const steps = this.stepsOf(jobId, true);
        const before = steps.get(step.id);
        if (isOlderStep(before, step)) return true;
        steps.set(step.id, step);
        if (step.state === 'succeeded' && before?.state !== 'succeeded') this.recordRate(step);
        this.recordSlots(this.now());
        break;
      }
      case 'reset':
        this.stale = true;
        break;
      default:
        return false;
    }
    this.changed();
    return true;
  }

  private putNode(node: NodeView, at = this.now()): void {
    this.nodeMap.set(node.id, node);
    // Slots are derived from steps (recordSlots); here the gauges the node reports.
    for (const g of nodeGauges(node, 0)) {
      if (g.fraction === undefined || g.key === 'slots') continue;
      this.ring(node.id, g.key).push(Number.isFinite(at) ? at : this.now(), g.fraction);
    }
  }

  private putJob(job: JobSummary): void {
    const known = this.jobMap.get(job.id);
    if (known && RANK[job.state] < RANK[known.state]) return;
    const summary: JobSummary = {
      id: job.id,
      name: job.name,
      state: job.state,
      createdAt: job.createdAt,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      error: job.error,
      steps: job.steps,
    };
    this.jobMap.set(job.id, summary);
    const detail = this.details.get(job.id);
    if (detail) this.details.set(job.id, { ...detail, ...summary });
    if (!known && this.jobMap.size > this.maxJobs) this.forgetOldJobs();
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobMap.values()]
      .filter((j) => TERMINAL.has(j.state))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const j of finished.slice(0, this.jobMap.size - this.maxJobs)) {
      this.jobMap.delete(j.id);
      this.stepMap.delete(j.id);
      this.details.delete(j.id);
    }
  }

  private stepsOf(jobId: string, create: boolean): Map<string, StepView> {
    let steps = this.stepMap.get(jobId);
    if (!steps && create) this.stepMap.set(jobId, (steps = new Map()));
    return steps ?? new Map();
  }

  /**
   * Samples slot use per node and across the ready nodes (after a step or job changed), at the page's own time:
   * a snapshot and events then share one clock whatever the server's.
   */
  private recordSlots(at: number): void {
    const t = Number.isFinite(at) ? at : this.now();
    const busy = this.busyByNode();
    let used = 0;
    let total = 0;
    for (const node of this.nodeMap.values()) {
      if (node.state !== 'ready' || node.slots <= 0) continue;
      const n = Math.min(node.slots, busy.get(node.id) ?? 0);
      used += n;
      total += node.slots;
      this.ring(node.id, 'slots').push(t, n / node.slots);
    }
    if (total > 0) this.clusterSlots.push(t, used / total);
  }

  private ring(nodeId: string, key: string): SampleRing {
    let rings = this.usage.get(nodeId);
    if (!rings) this.usage.set(nodeId, (rings = new Map()));
    let ring = rings.get(key);
    if (!ring) rings.set(key, (ring = new SampleRing()));
    return ring;
  }

  /** Running tasks per node, from the step views of unfinished jobs. */
  busyByNode(): Map<string, number> {
    const busy = new Map<string, number>();
    for (const [jobId, steps] of this.stepMap) {
      const job = this.jobMap.get(jobId);
      if (job && TERMINAL.has(job.state)) continue;
      for (const s of steps.values()) {
        const a = s.attempts[s.attempts.length - 1];
        if (a?.state === 'running' && a.nodeId) busy.set(a.nodeId, (busy.get(a.nodeId) ?? 0) + 1);
      }
    }
    return busy;
  }

  private recordRate(step: StepView): void {
    const tokens = step.result?.completionTokens;
    const ms = step.result?.durationMs;
    if (typeof tokens !== 'number' || typeof ms !== 'number' || ms <= 0 || tokens <= 0) return;
    const t = Date.parse(step.finishedAt ?? '') || this.now();
    this.stepRates.insert(t, tokens / (ms / 1000));
  }

  // ---- reads ----

  nodes(): NodeView[] {
    const order = { ready: 0, stale: 1, offline: 2 } as const;
    return [...this.nodeMap.values()].sort(
      (a, b) =>
        order[a.state] - order[b.state] || a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id),
    );
  }

  node(id: string): NodeView | undefined {
    return this.nodeMap.get(id);
  }

  /** Jobs newest first, filtered by state ('active': queued or running). */
  jobs(filter: JobFilter = 'all', text = ''): JobSummary[] {
    const q = text.trim().toLowerCase();
    return [...this.jobMap.values()]
      .filter((j) =>
        filter === 'all' ? true : filter === 'active' ? !TERMINAL.has(j.state) : j.state === filter,
      )
      .filter((j) => !q || j.name.toLowerCase().includes(q) || j.id.startsWith(q))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  job(id: string): JobSummary | undefined {
    return this.jobMap.get(id);
  }

  /** The full view of a job fetched with setJob, with the newest step views. */
  jobDetail(id: string): JobView | undefined {
    const detail = this.details.get(id);
    if (!detail) return undefined;
    const steps = this.stepMap.get(id);
    return {
      ...detail,
      ...(this.jobMap.get(id) ?? {}),
      stepDetails: detail.stepDetails.map((s) => steps?.get(s.id) ?? s),
    };
  }

  /** Known step views of a job, in the order the job detail lists them (else as they came). */
  steps(jobId: string): StepView[] {
    const steps = this.stepMap.get(jobId);
    if (!steps) return [];
    const order = this.details.get(jobId)?.stepDetails.map((s) => s.id) ?? [];
    return [...steps.values()].sort((a, b) => {
      const ia = order.indexOf(a.id);
      const ib = order.indexOf(b.id);
      return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib);
    });
  }

  /** Tasks running on the node now, from the step views the dashboard knows. */
  busySlots(nodeId: string): number {
    return this.busyByNode().get(nodeId) ?? 0;
  }

  /** Utilisation history of one of a node's gauges (`memory`, `gpu0`, `vram0` …). */
  usageHistory(nodeId: string, key: string): SampleRing | undefined {
    return this.usage.get(nodeId)?.get(key);
  }

  counts(): { nodes: Record<string, number>; jobs: Record<string, number> } {
    const nodes: Record<string, number> = { ready: 0, stale: 0, offline: 0 };
    for (const n of this.nodeMap.values()) nodes[n.state] = (nodes[n.state] ?? 0) + 1;
    const jobs: Record<string, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const j of this.jobMap.values()) jobs[j.state] = (jobs[j.state] ?? 0) + 1;
    return { nodes, jobs };
  }

  /** Finish times of the known jobs (epoch ms), for the throughput chart. */
  finishTimes(): number[] {
    const out: number[] = [];
    for (const j of this.jobMap.values()) if (j.finishedAt) out.push(Date.parse(j.finishedAt));
    return out;
  }
}

/** A step view older than the one we hold: fewer attempts, or a finished step going back. */
function isOlderStep(known: StepView | undefined, next: StepView): boolean {
  if (!known) return false;
  if (next.attempts.length < known.attempts.length) return true;
  return (
    TERMINAL.has(known.state) && !TERMINAL.has(next.state) && next.attempts.length === known.attempts.length
  );
}
