/**
 * What to do with one of this node's containers found after an agent restart (pure: reads the listing's labels and
 * state): take it over, leave it (already tracked), or remove it (unusable labels, a duplicate, or not running).
 */
import type Docker from 'dockerode';
import { LABEL } from './labels.js';

export type AdoptionDecision =
  | { action: 'skip' }
  | { action: 'remove'; why: string; level: 'info' | 'warn' }
  | {
      action: 'adopt';
      name: string;
      kind: 'ollama' | 'vllm';
      model: string;
      image: string;
      port: number;
      hash: string;
    };

/** `tracked`: the container id the manager already tracks under this container's runtime name, if any. */
export function adoptionDecision(c: Docker.ContainerInfo, tracked: string | undefined): AdoptionDecision {
  const labels = c.Labels;
  const name = labels[LABEL.runtime];
  const kind = labels[LABEL.kind];
  const port = Number(labels[LABEL.port]);
  if (tracked !== undefined && tracked === c.Id) return { action: 'skip' };
  if (!name || (kind !== 'ollama' && kind !== 'vllm') || !(port > 0) || tracked !== undefined) {
    return { action: 'remove', why: 'removed a managed container that cannot be adopted', level: 'warn' };
  }
  if (c.State !== 'running' && c.State !== 'restarting') {
    return { action: 'remove', why: 'removed a stopped managed container', level: 'info' };
  }
  return {
    action: 'adopt',
    name,
    kind,
    model: labels[LABEL.model] ?? '',
    image: c.Image,
    port,
    hash: labels[LABEL.spec] ?? '',
  };
}
