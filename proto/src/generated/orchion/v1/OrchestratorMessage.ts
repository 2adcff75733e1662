// Original file: proto/orchion/v1/agent.proto

import type { Welcome as _orchion_v1_Welcome, Welcome__Output as _orchion_v1_Welcome__Output } from '../../orchion/v1/Welcome';

export interface OrchestratorMessage {
  'welcome'?: (_orchion_v1_Welcome | null);
  'payload'?: "welcome";
}

export interface OrchestratorMessage__Output {
  'welcome'?: (_orchion_v1_Welcome__Output | null);
  'payload'?: "welcome";
}
