// Live fan-out of job logs to followers (SSE clients), by job. Stored logs are replayed from the store.
import type { LogEntry } from '@orchion/api';

export interface LogFollower {
  entries(entries: LogEntry[]): void;
  /** The job finished: no more entries will come. */
  end(): void;
}

export class LogHub {
  private readonly followers = new Map<string, Set<LogFollower>>();

  follow(jobId: string, f: LogFollower): () => void {
    let set = this.followers.get(jobId);
    if (!set) this.followers.set(jobId, (set = new Set()));
    set.add(f);
    return () => {
      set.delete(f);
      if (set.size === 0) this.followers.delete(jobId);
    };
  }

  /** Whether anyone follows the job's log now. */
  followed(jobId: string): boolean {
    return this.followers.has(jobId);
  }

  publish(jobId: string, entries: LogEntry[]): void {
    for (const f of this.followers.get(jobId) ?? []) f.entries(entries);
  }

  end(jobId: string): void {
    for (const f of [...(this.followers.get(jobId) ?? [])]) f.end();
  }
}
