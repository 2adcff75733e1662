import { ollamaPlan } from './ollama-plan.js';
import type { ContainerPlan } from './plan.js';
import type { ContainerSpec } from './specs.js';
import { vllmPlan } from './vllm-plan.js';

export const planFor = (spec: ContainerSpec): ContainerPlan =>
  spec.kind === 'ollama' ? ollamaPlan(spec) : vllmPlan(spec);
