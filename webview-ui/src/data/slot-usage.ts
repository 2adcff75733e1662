// Tasks running per node, kept incrementally from step views (pure): each step counts on the node of its latest
// attempt while that attempt runs and its job is unfinished. O(1) per step update, however many jobs are known.
import type { StepView } from '@orchion/api';

export class SlotUsage {
  private readonly busy = new Map<string, number>();
  /** `jobId\0stepId` → the node its running attempt occupies. */
  private readonly running = new Map<string, string>();
  /** Step keys of each job that currently occupy a slot. */
  private readonly byJob = new Map<string, Set<string>>();

  /** Records a step's latest view; returns the nodes whose count changed. */
  track(jobId: string, step: StepView, jobFinished: boolean): string[] {
    const key = `${jobId}\0${step.id}`;
    const a = step.attempts[step.attempts.length - 1];
    const next = !jobFinished && a?.state === 'running' && a.nodeId ? a.nodeId : undefined;
    const prev = this.running.get(key);
    if (prev === next) return [];
    const changed: string[] = [];
    if (prev !== undefined) {
      this.add(prev, -1);
      this.running.delete(key);
      this.byJob.get(jobId)?.delete(key);
      changed.push(prev);
    }
    if (next !== undefined) {
      this.add(next, 1);
      this.running.set(key, next);
      let keys = this.byJob.get(jobId);
      if (!keys) this.byJob.set(jobId, (keys = new Set()));
      keys.add(key);
      changed.push(next);
    }
    return changed;
  }

  /** The job finished (or is forgotten): its steps free their slots. Returns the nodes whose count changed. */
  endJob(jobId: string): string[] {
    const keys = this.byJob.get(jobId);
    if (!keys) return [];
    const changed = new Set<string>();
    for (const key of keys) {
      const node = this.running.get(key)!;
      this.running.delete(key);
      this.add(node, -1);
      changed.add(node);
    }
    this.byJob.delete(jobId);
    return [...changed];
  }

  clear(): void {
    this.busy.clear();
    this.running.clear();
    this.byJob.clear();
  }

  of(nodeId: string): number {
    return this.busy.get(nodeId) ?? 0;
  }

  /** Running tasks by node (only nodes with at least one). */
  byNode(): ReadonlyMap<string, number> {
    return this.busy;
  }

  private add(node: string, delta: number): void {
    const n = (this.busy.get(node) ?? 0) + delta;
    if (n > 0) this.busy.set(node, n);
    else this.busy.delete(node);
  }
}
