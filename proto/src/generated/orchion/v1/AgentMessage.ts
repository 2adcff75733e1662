// Original file: proto/orchion/v1/agent.proto

import type { Hello as _orchion_v1_Hello, Hello__Output as _orchion_v1_Hello__Output } from '../../orchion/v1/Hello';
import type { Heartbeat as _orchion_v1_Heartbeat, Heartbeat__Output as _orchion_v1_Heartbeat__Output } from '../../orchion/v1/Heartbeat';
import type { CapabilityUpdate as _orchion_v1_CapabilityUpdate, CapabilityUpdate__Output as _orchion_v1_CapabilityUpdate__Output } from '../../orchion/v1/CapabilityUpdate';
import type { Goodbye as _orchion_v1_Goodbye, Goodbye__Output as _orchion_v1_Goodbye__Output } from '../../orchion/v1/Goodbye';
import type { TaskUpdate as _orchion_v1_TaskUpdate, TaskUpdate__Output as _orchion_v1_TaskUpdate__Output } from '../../orchion/v1/TaskUpdate';
import type { TaskOutput as _orchion_v1_TaskOutput, TaskOutput__Output as _orchion_v1_TaskOutput__Output } from '../../orchion/v1/TaskOutput';
import type { NodeLog as _orchion_v1_NodeLog, NodeLog__Output as _orchion_v1_NodeLog__Output } from '../../orchion/v1/NodeLog';

export interface AgentMessage {
  'hello'?: (_orchion_v1_Hello | null);
  'heartbeat'?: (_orchion_v1_Heartbeat | null);
  'capabilities'?: (_orchion_v1_CapabilityUpdate | null);
  'goodbye'?: (_orchion_v1_Goodbye | null);
  'task'?: (_orchion_v1_TaskUpdate | null);
  'output'?: (_orchion_v1_TaskOutput | null);
  'nodeLog'?: (_orchion_v1_NodeLog | null);
  'payload'?: "hello"|"heartbeat"|"capabilities"|"goodbye"|"task"|"output"|"nodeLog";
}

export interface AgentMessage__Output {
  'hello'?: (_orchion_v1_Hello__Output | null);
  'heartbeat'?: (_orchion_v1_Heartbeat__Output | null);
  'capabilities'?: (_orchion_v1_CapabilityUpdate__Output | null);
  'goodbye'?: (_orchion_v1_Goodbye__Output | null);
  'task'?: (_orchion_v1_TaskUpdate__Output | null);
  'output'?: (_orchion_v1_TaskOutput__Output | null);
  'nodeLog'?: (_orchion_v1_NodeLog__Output | null);
  'payload'?: "hello"|"heartbeat"|"capabilities"|"goodbye"|"task"|"output"|"nodeLog";
}
