// Original file: proto/orchion/v1/agent.proto

export const TaskState = {
  TASK_STATE_UNSPECIFIED: 'TASK_STATE_UNSPECIFIED',
  TASK_STATE_STARTED: 'TASK_STATE_STARTED',
  TASK_STATE_SUCCEEDED: 'TASK_STATE_SUCCEEDED',
  TASK_STATE_FAILED: 'TASK_STATE_FAILED',
  TASK_STATE_CANCELLED: 'TASK_STATE_CANCELLED',
} as const;

export type TaskState =
  | 'TASK_STATE_UNSPECIFIED'
  | 0
  | 'TASK_STATE_STARTED'
  | 1
  | 'TASK_STATE_SUCCEEDED'
  | 2
  | 'TASK_STATE_FAILED'
  | 3
  | 'TASK_STATE_CANCELLED'
  | 4

export type TaskState__Output = typeof TaskState[keyof typeof TaskState]
