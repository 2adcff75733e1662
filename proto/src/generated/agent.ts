import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentMessage as _orchion_v1_AgentMessage, AgentMessage__Output as _orchion_v1_AgentMessage__Output } from './orchion/v1/AgentMessage';
import type { AgentServiceClient as _orchion_v1_AgentServiceClient, AgentServiceDefinition as _orchion_v1_AgentServiceDefinition } from './orchion/v1/AgentService';
import type { Capabilities as _orchion_v1_Capabilities, Capabilities__Output as _orchion_v1_Capabilities__Output } from './orchion/v1/Capabilities';
import type { CapabilityUpdate as _orchion_v1_CapabilityUpdate, CapabilityUpdate__Output as _orchion_v1_CapabilityUpdate__Output } from './orchion/v1/CapabilityUpdate';
import type { CpuInfo as _orchion_v1_CpuInfo, CpuInfo__Output as _orchion_v1_CpuInfo__Output } from './orchion/v1/CpuInfo';
import type { Goodbye as _orchion_v1_Goodbye, Goodbye__Output as _orchion_v1_Goodbye__Output } from './orchion/v1/Goodbye';
import type { Gpu as _orchion_v1_Gpu, Gpu__Output as _orchion_v1_Gpu__Output } from './orchion/v1/Gpu';
import type { GpuList as _orchion_v1_GpuList, GpuList__Output as _orchion_v1_GpuList__Output } from './orchion/v1/GpuList';
import type { Heartbeat as _orchion_v1_Heartbeat, Heartbeat__Output as _orchion_v1_Heartbeat__Output } from './orchion/v1/Heartbeat';
import type { Hello as _orchion_v1_Hello, Hello__Output as _orchion_v1_Hello__Output } from './orchion/v1/Hello';
import type { MemoryInfo as _orchion_v1_MemoryInfo, MemoryInfo__Output as _orchion_v1_MemoryInfo__Output } from './orchion/v1/MemoryInfo';
import type { OrchestratorMessage as _orchion_v1_OrchestratorMessage, OrchestratorMessage__Output as _orchion_v1_OrchestratorMessage__Output } from './orchion/v1/OrchestratorMessage';
import type { OsInfo as _orchion_v1_OsInfo, OsInfo__Output as _orchion_v1_OsInfo__Output } from './orchion/v1/OsInfo';
import type { Welcome as _orchion_v1_Welcome, Welcome__Output as _orchion_v1_Welcome__Output } from './orchion/v1/Welcome';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  orchion: {
    v1: {
      AgentMessage: MessageTypeDefinition<_orchion_v1_AgentMessage, _orchion_v1_AgentMessage__Output>
      AgentService: SubtypeConstructor<typeof grpc.Client, _orchion_v1_AgentServiceClient> & { service: _orchion_v1_AgentServiceDefinition }
      Capabilities: MessageTypeDefinition<_orchion_v1_Capabilities, _orchion_v1_Capabilities__Output>
      CapabilityUpdate: MessageTypeDefinition<_orchion_v1_CapabilityUpdate, _orchion_v1_CapabilityUpdate__Output>
      CpuInfo: MessageTypeDefinition<_orchion_v1_CpuInfo, _orchion_v1_CpuInfo__Output>
      Goodbye: MessageTypeDefinition<_orchion_v1_Goodbye, _orchion_v1_Goodbye__Output>
      Gpu: MessageTypeDefinition<_orchion_v1_Gpu, _orchion_v1_Gpu__Output>
      GpuList: MessageTypeDefinition<_orchion_v1_GpuList, _orchion_v1_GpuList__Output>
      Heartbeat: MessageTypeDefinition<_orchion_v1_Heartbeat, _orchion_v1_Heartbeat__Output>
      Hello: MessageTypeDefinition<_orchion_v1_Hello, _orchion_v1_Hello__Output>
      MemoryInfo: MessageTypeDefinition<_orchion_v1_MemoryInfo, _orchion_v1_MemoryInfo__Output>
      OrchestratorMessage: MessageTypeDefinition<_orchion_v1_OrchestratorMessage, _orchion_v1_OrchestratorMessage__Output>
      OsInfo: MessageTypeDefinition<_orchion_v1_OsInfo, _orchion_v1_OsInfo__Output>
      Welcome: MessageTypeDefinition<_orchion_v1_Welcome, _orchion_v1_Welcome__Output>
    }
  }
}

