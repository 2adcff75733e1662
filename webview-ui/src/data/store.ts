// The dashboard's state (pure, no DOM, no transport): nodes and jobs from a snapshot, kept current by the events
// of /api/v1/events; step details of the jobs it has seen; per-node utilisation history for the charts.
import type { JobState, JobSummary, JobView, NodeView, OrchionEvent, StepView } from '@orchion/api';
import { nodeGauges } from './node-usage';
import { SampleRing, type Sample } from './series';
import { SlotUsage } from './slot-usage';

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
  private readonly slotUse = new SlotUsage();
  /** Share of the ready nodes' slots in use over time (0..1): see clusterSlotHistory(). */
  private readonly clusterSlots = new SampleRing(480);
  /** When the cluster share last changed without a sample yet (sampled at most every 250 ms while busy). */
  private clusterDirtyAt: number | undefined;
  private clusterSampledAt = -Infinity;
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
    for (const n of nodes) this.putNode(n, this.now(), false);
    const keep = new Set(jobs.map((j) => j.id));
    for (const id of [...this.jobMap.keys()]) if (!keep.has(id)) this.jobMap.delete(id);
    for (const j of jobs) this.jobMap.set(j.id, j);
    this.nextJobsCursor = nextJobsCursor;
    this.stale = false;
    // Slot use from the step views kept across the reload; the slot charts start when the page does.
    this.slotUse.clear();
    for (const [jobId, steps] of this.stepMap) {
      const finished = TERMINAL.has(this.jobMap.get(jobId)?.state ?? 'queued');
      for (const step of steps.values()) this.slotUse.track(jobId, step, finished);
    }
    const t = this.now();
    for (const node of this.nodeMap.values()) this.sampleSlots(node.id, t);
    this.clusterChanged(t, true);
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
    this.details.set(view.id, view);
    this.putJob(view);
    const steps = this.stepsOf(view.id, true);
    for (const s of view.stepDetails) {
      const before = steps.get(s.id);
      if (isOlderStep(before, s)) continue;
      this.putStep(view.id, s, before);
    }
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
        this.clusterChanged(this.now());
        break;
      case 'job.created':
      case 'job.updated':
        this.putJob(event.data as JobSummary);
        break;
      case 'step.updated': {
        const { jobId, step } = event.data as { jobId: string; step: StepView };
        const steps = this.stepsOf(jobId, true);
        const before = steps.get(step.id);
        if (isOlderStep(before, step)) return true;
        this.putStep(jobId, step, before);
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

  private putStep(jobId: string, step: StepView, before: StepView | undefined): void {
    this.stepsOf(jobId, true).set(step.id, step);
    if (step.state === 'succeeded' && before?.state !== 'succeeded') this.recordRate(step);
    const finished = TERMINAL.has(this.jobMap.get(jobId)?.state ?? 'queued');
    this.slotsChanged(this.slotUse.track(jobId, step, finished));
  }

  private putNode(node: NodeView, at = this.now(), sampleCluster = true): void {
    const before = this.nodeMap.get(node.id);
    this.nodeMap.set(node.id, node);
    if (sampleCluster && (before?.state !== node.state || before.slots !== node.slots))
      this.clusterChanged(this.now());
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
    if (TERMINAL.has(summary.state)) this.slotsChanged(this.slotUse.endJob(job.id));
    if (!known && this.jobMap.size > this.maxJobs) this.forgetOldJobs();
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobMap.values()]
      .filter((j) => TERMINAL.has(j.state))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    // A tenth more than needed, so the sort runs once per many new jobs, not for each.
    const excess = this.jobMap.size - this.maxJobs + Math.ceil(this.maxJobs / 10);
    for (const j of finished.slice(0, excess)) {
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

  /** Samples the slot use of nodes whose running count changed, and marks the cluster share changed. */
  private slotsChanged(nodes: readonly string[]): void {
    if (nodes.length === 0) return;
    const t = this.now();
    for (const id of nodes) this.sampleSlots(id, t);
    this.clusterChanged(t);
  }

  private sampleSlots(nodeId: string, t: number): void {
    const node = this.nodeMap.get(nodeId);
    if (node && node.slots > 0)
      this.ring(nodeId, 'slots').push(t, Math.min(1, this.slotUse.of(nodeId) / node.slots));
  }

  /**
   * The cluster share changed at `t`: sampled now when the last sample is 250 ms old (the share costs a pass over
   * the nodes), else when read or at the next change after that. Times are the page's own clock.
   */
  private clusterChanged(t: number, force = false): void {
    this.clusterDirtyAt = t;
    if (force || t - this.clusterSampledAt >= 250) this.sampleCluster(t);
  }

  private sampleCluster(t: number): void {
    this.clusterDirtyAt = undefined;
    this.clusterSampledAt = t;
    let used = 0;
    let total = 0;
    for (const node of this.nodeMap.values()) {
      if (node.state !== 'ready' || node.slots <= 0) continue;
      used += Math.min(node.slots, this.slotUse.of(node.id));
      total += node.slots;
    }
    this.clusterSlots.push(t, total > 0 ? used / total : 0);
  }

  /** Share of the ready nodes' task slots in use over time (0..1), for the cluster utilisation chart. */
  clusterSlotHistory(): Sample[] {
    if (this.clusterDirtyAt !== undefined) this.sampleCluster(this.clusterDirtyAt);
    return this.clusterSlots.samples();
  }

  private ring(nodeId: string, key: string): SampleRing {
    let rings = this.usage.get(nodeId);
    if (!rings) this.usage.set(nodeId, (rings = new Map()));
    let ring = rings.get(key);
    if (!ring) rings.set(key, (ring = new SampleRing()));
    return ring;
  }

  /** Running tasks per node (nodes with none are absent), from the step views of unfinished jobs. */
  busyByNode(): ReadonlyMap<string, number> {
    return this.slotUse.byNode();
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
    return this.slotUse.of(nodeId);
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
