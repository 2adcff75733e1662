export { EmbeddedRuntime, type EmbeddedRuntimeOptions } from './runtime.js';
export { defaultWorkerPath, WORKER_FILE } from './worker-path.js';
export type { WorkerConfig } from './protocol.js';
