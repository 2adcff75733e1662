// Original file: proto/orchion/v1/agent.proto

import type { Welcome as _orchion_v1_Welcome, Welcome__Output as _orchion_v1_Welcome__Output } from '../../orchion/v1/Welcome';
import type { AssignTask as _orchion_v1_AssignTask, AssignTask__Output as _orchion_v1_AssignTask__Output } from '../../orchion/v1/AssignTask';
import type { CancelTask as _orchion_v1_CancelTask, CancelTask__Output as _orchion_v1_CancelTask__Output } from '../../orchion/v1/CancelTask';

export interface OrchestratorMessage {
  'welcome'?: (_orchion_v1_Welcome | null);
  'assign'?: (_orchion_v1_AssignTask | null);
  'cancel'?: (_orchion_v1_CancelTask | null);
  'payload'?: "welcome"|"assign"|"cancel";
}

export interface OrchestratorMessage__Output {
  'welcome'?: (_orchion_v1_Welcome__Output | null);
  'assign'?: (_orchion_v1_AssignTask__Output | null);
  'cancel'?: (_orchion_v1_CancelTask__Output | null);
  'payload'?: "welcome"|"assign"|"cancel";
}
