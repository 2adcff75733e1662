export { TaskExecutor, type TaskExecutorOptions } from './task-executor.js';
export {
  OutputBatcher,
  DEFAULT_OUTPUT_LIMITS,
  type OutputLimits,
  type OutputSink,
} from './output-batcher.js';
export { TaskFailure, taskErrorOf, RUNTIME_ERROR_RETRYABLE } from './task-errors.js';
export { parseTask, generateOptions, type TaskRequest, type TaskInput } from './task-request.js';
