// The scheduler core: pure placement decisions (no I/O), driven by the orchestrator.
export { Scheduler, type SchedulerOptions, type SchedulerStats } from './scheduler';
export { ReferenceScheduler } from './reference';
export { fits, staticFit, type FitResult, type Misfit } from './fit';
export { isBetter, type NodeLoad } from './score';
export { BYTES_PER_GB, requirementOf, type Requirement } from './requirement';
export type {
  Explanation,
  ExplanationCode,
  Placement,
  SchedGpu,
  SchedModel,
  SchedNode,
  SchedNodeState,
  TaskPhase,
  TaskRequest,
  TaskResources,
  Timer,
} from './types';
