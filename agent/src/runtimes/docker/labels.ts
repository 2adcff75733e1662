/**
 * Labels on every container the agent manages. They let a restarted agent find its containers again (adopt)
 * and tell them apart from everything else on the engine, including other agents' containers on the same host.
 */
export const LABEL = {
  managed: 'orchion.managed',
  node: 'orchion.node',
  /** The runtime instance's name, unique per node (e.g. 'ollama', 'vllm-qwen'). */
  runtime: 'orchion.runtime',
  /** 'ollama' or 'vllm'. */
  kind: 'orchion.kind',
  /** The served model (vLLM) or the models pulled at start (Ollama, comma-separated). */
  model: 'orchion.model',
  /** The loopback port the server listens on (host network). */
  port: 'orchion.port',
  /** Hash of the container's configuration: an adopted container with another hash is replaced. */
  spec: 'orchion.spec',
} as const;

export function nodeFilter(nodeId: string): { label: string[] } {
  return { label: [`${LABEL.managed}=true`, `${LABEL.node}=${nodeId}`] };
}

/** A container name for a runtime: unique per node, so the engine itself refuses a duplicate. */
export function containerName(nodeId: string, runtime: string): string {
  const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[-.]+/, '');
  return `orchion-${safe(nodeId).slice(0, 12)}-${safe(runtime)}`;
}
