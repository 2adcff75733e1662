// Node logs: lines an agent reports about itself (runtime and container setup, container output, image and model
// pull progress), served by GET /api/v1/nodes/:id/logs as Server-Sent Events (`event: log`, id = entry id).

/** Progress of something long-running on the node (an image pull, a model download). */
export interface NodeLogProgress {
  /** What progresses, e.g. an image reference. */
  subject: string;
  status: string;
  /** Bytes done and in all (0 when unknown). */
  completed: number;
  total: number;
  done: boolean;
}

export interface NodeLogEntry {
  /** Increases along a node's log; resume with Last-Event-ID. Kept in memory: a bounded window per node. */
  id: number;
  time: string;
  /** debug, info, warn, error. */
  level: string;
  /** What wrote it, e.g. "docker", "container:ollama", "pull:ollama". */
  source: string;
  text: string;
  progress?: NodeLogProgress;
}

/** Percent done of a progress report, or undefined when its total is unknown. */
export function progressPercent(p: NodeLogProgress): number | undefined {
  if (p.done) return 100;
  if (!(p.total > 0)) return undefined;
  return Math.min(100, Math.floor((p.completed / p.total) * 100));
}
