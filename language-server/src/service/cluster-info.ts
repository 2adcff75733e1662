/** What the language service knows of the cluster: the models and runtimes its nodes serve, or why it does not. */
import type { NodeView } from '@orchion/api';

export interface ClusterModel {
  name: string;
  runtimes: string[];
  /** Hostnames of the nodes serving it. */
  nodes: string[];
  /** Hostnames where it is loaded in memory. */
  loadedOn: string[];
  architecture?: string;
  contextLength?: number;
  sizeBytes?: number;
  /** Why some node cannot use it (e.g. a malformed file). */
  errors: string[];
}

export interface ClusterInfo {
  /**
   * `live`: fetched from the orchestrator; `offline`: it could not be reached; `unconfigured`: no orchestrator
   * URL; `pending`: the first fetch has not answered yet.
   */
  status: 'live' | 'offline' | 'unconfigured' | 'pending';
  models: ReadonlyMap<string, ClusterModel>;
  runtimes: ReadonlySet<string>;
  /** Why it is offline. */
  error?: string;
}

export function unknownCluster(status: Exclude<ClusterInfo['status'], 'live'>, error?: string): ClusterInfo {
  return { status, models: new Map(), runtimes: new Set(), ...(error ? { error } : {}) };
}

/** The models and runtimes of the nodes that are not offline. */
export function clusterFromNodes(nodes: readonly NodeView[]): ClusterInfo {
  const models = new Map<string, ClusterModel>();
  const runtimes = new Set<string>();
  for (const node of nodes) {
    if (node.state === 'offline') continue;
    for (const r of node.runtimes) runtimes.add(r);
    for (const m of node.models) {
      let model = models.get(m.name);
      if (model === undefined) {
        model = { name: m.name, runtimes: [], nodes: [], loadedOn: [], errors: [] };
        models.set(m.name, model);
      }
      if (m.runtime && !model.runtimes.includes(m.runtime)) model.runtimes.push(m.runtime);
      if (!model.nodes.includes(node.hostname)) model.nodes.push(node.hostname);
      if (m.loaded) model.loadedOn.push(node.hostname);
      if (m.error) model.errors.push(`${node.hostname}: ${m.error}`);
      if (m.architecture) model.architecture ??= m.architecture;
      if (m.contextLength) model.contextLength ??= m.contextLength;
      const size = Number(m.sizeBytes);
      if (Number.isFinite(size) && size > 0) model.sizeBytes ??= size;
    }
  }
  return { status: 'live', models, runtimes };
}

/** A model's details, in Markdown (hover and completion documentation). */
export function modelMarkdown(m: ClusterModel): string {
  const lines = [`**${m.name}**`, ''];
  lines.push(`- runtimes: ${m.runtimes.join(', ') || '—'}`);
  lines.push(`- nodes: ${m.nodes.join(', ')}`);
  if (m.loadedOn.length) lines.push(`- loaded on: ${m.loadedOn.join(', ')}`);
  if (m.architecture) lines.push(`- architecture: ${m.architecture}`);
  if (m.contextLength) lines.push(`- context length: ${m.contextLength}`);
  if (m.sizeBytes) lines.push(`- size: ${(m.sizeBytes / 2 ** 20).toFixed(1)} MiB`);
  for (const e of m.errors) lines.push(`- ⚠ ${e}`);
  return lines.join('\n');
}
