// Original file: proto/orchion/v1/agent.proto

import type { TaskState as _orchion_v1_TaskState, TaskState__Output as _orchion_v1_TaskState__Output } from '../../orchion/v1/TaskState';
import type { TaskResult as _orchion_v1_TaskResult, TaskResult__Output as _orchion_v1_TaskResult__Output } from '../../orchion/v1/TaskResult';
import type { TaskError as _orchion_v1_TaskError, TaskError__Output as _orchion_v1_TaskError__Output } from '../../orchion/v1/TaskError';

export interface TaskUpdate {
  'attemptId'?: (string);
  'state'?: (_orchion_v1_TaskState);
  'result'?: (_orchion_v1_TaskResult | null);
  'error'?: (_orchion_v1_TaskError | null);
}

export interface TaskUpdate__Output {
  'attemptId': (string);
  'state': (_orchion_v1_TaskState__Output);
  'result': (_orchion_v1_TaskResult__Output | null);
  'error': (_orchion_v1_TaskError__Output | null);
}
