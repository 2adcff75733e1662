import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentMessage as _orchion_v1_AgentMessage, AgentMessage__Output as _orchion_v1_AgentMessage__Output } from './orchion/v1/AgentMessage';
import type { AgentServiceClient as _orchion_v1_AgentServiceClient, AgentServiceDefinition as _orchion_v1_AgentServiceDefinition } from './orchion/v1/AgentService';
import type { AssignTask as _orchion_v1_AssignTask, AssignTask__Output as _orchion_v1_AssignTask__Output } from './orchion/v1/AssignTask';
import type { CancelTask as _orchion_v1_CancelTask, CancelTask__Output as _orchion_v1_CancelTask__Output } from './orchion/v1/CancelTask';
import type { Capabilities as _orchion_v1_Capabilities, Capabilities__Output as _orchion_v1_Capabilities__Output } from './orchion/v1/Capabilities';
import type { CapabilityUpdate as _orchion_v1_CapabilityUpdate, CapabilityUpdate__Output as _orchion_v1_CapabilityUpdate__Output } from './orchion/v1/CapabilityUpdate';
import type { ChatMessage as _orchion_v1_ChatMessage, ChatMessage__Output as _orchion_v1_ChatMessage__Output } from './orchion/v1/ChatMessage';
import type { ChatMessages as _orchion_v1_ChatMessages, ChatMessages__Output as _orchion_v1_ChatMessages__Output } from './orchion/v1/ChatMessages';
import type { ContainerEngine as _orchion_v1_ContainerEngine, ContainerEngine__Output as _orchion_v1_ContainerEngine__Output } from './orchion/v1/ContainerEngine';
import type { CpuInfo as _orchion_v1_CpuInfo, CpuInfo__Output as _orchion_v1_CpuInfo__Output } from './orchion/v1/CpuInfo';
import type { EmbedInput as _orchion_v1_EmbedInput, EmbedInput__Output as _orchion_v1_EmbedInput__Output } from './orchion/v1/EmbedInput';
import type { Embedding as _orchion_v1_Embedding, Embedding__Output as _orchion_v1_Embedding__Output } from './orchion/v1/Embedding';
import type { GenerateOptions as _orchion_v1_GenerateOptions, GenerateOptions__Output as _orchion_v1_GenerateOptions__Output } from './orchion/v1/GenerateOptions';
import type { Goodbye as _orchion_v1_Goodbye, Goodbye__Output as _orchion_v1_Goodbye__Output } from './orchion/v1/Goodbye';
import type { Gpu as _orchion_v1_Gpu, Gpu__Output as _orchion_v1_Gpu__Output } from './orchion/v1/Gpu';
import type { GpuList as _orchion_v1_GpuList, GpuList__Output as _orchion_v1_GpuList__Output } from './orchion/v1/GpuList';
import type { Heartbeat as _orchion_v1_Heartbeat, Heartbeat__Output as _orchion_v1_Heartbeat__Output } from './orchion/v1/Heartbeat';
import type { Hello as _orchion_v1_Hello, Hello__Output as _orchion_v1_Hello__Output } from './orchion/v1/Hello';
import type { MemoryInfo as _orchion_v1_MemoryInfo, MemoryInfo__Output as _orchion_v1_MemoryInfo__Output } from './orchion/v1/MemoryInfo';
import type { ModelInfo as _orchion_v1_ModelInfo, ModelInfo__Output as _orchion_v1_ModelInfo__Output } from './orchion/v1/ModelInfo';
import type { ModelList as _orchion_v1_ModelList, ModelList__Output as _orchion_v1_ModelList__Output } from './orchion/v1/ModelList';
import type { NodeLog as _orchion_v1_NodeLog, NodeLog__Output as _orchion_v1_NodeLog__Output } from './orchion/v1/NodeLog';
import type { NodeLogLine as _orchion_v1_NodeLogLine, NodeLogLine__Output as _orchion_v1_NodeLogLine__Output } from './orchion/v1/NodeLogLine';
import type { OrchestratorMessage as _orchion_v1_OrchestratorMessage, OrchestratorMessage__Output as _orchion_v1_OrchestratorMessage__Output } from './orchion/v1/OrchestratorMessage';
import type { OsInfo as _orchion_v1_OsInfo, OsInfo__Output as _orchion_v1_OsInfo__Output } from './orchion/v1/OsInfo';
import type { OutputChunk as _orchion_v1_OutputChunk, OutputChunk__Output as _orchion_v1_OutputChunk__Output } from './orchion/v1/OutputChunk';
import type { Progress as _orchion_v1_Progress, Progress__Output as _orchion_v1_Progress__Output } from './orchion/v1/Progress';
import type { RuntimeList as _orchion_v1_RuntimeList, RuntimeList__Output as _orchion_v1_RuntimeList__Output } from './orchion/v1/RuntimeList';
import type { TaskError as _orchion_v1_TaskError, TaskError__Output as _orchion_v1_TaskError__Output } from './orchion/v1/TaskError';
import type { TaskOutput as _orchion_v1_TaskOutput, TaskOutput__Output as _orchion_v1_TaskOutput__Output } from './orchion/v1/TaskOutput';
import type { TaskResult as _orchion_v1_TaskResult, TaskResult__Output as _orchion_v1_TaskResult__Output } from './orchion/v1/TaskResult';
import type { TaskUpdate as _orchion_v1_TaskUpdate, TaskUpdate__Output as _orchion_v1_TaskUpdate__Output } from './orchion/v1/TaskUpdate';
import type { Welcome as _orchion_v1_Welcome, Welcome__Output as _orchion_v1_Welcome__Output } from './orchion/v1/Welcome';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  orchion: {
    v1: {
      AgentMessage: MessageTypeDefinition<_orchion_v1_AgentMessage, _orchion_v1_AgentMessage__Output>
      AgentService: SubtypeConstructor<typeof grpc.Client, _orchion_v1_AgentServiceClient> & { service: _orchion_v1_AgentServiceDefinition }
      AssignTask: MessageTypeDefinition<_orchion_v1_AssignTask, _orchion_v1_AssignTask__Output>
      CancelTask: MessageTypeDefinition<_orchion_v1_CancelTask, _orchion_v1_CancelTask__Output>
      Capabilities: MessageTypeDefinition<_orchion_v1_Capabilities, _orchion_v1_Capabilities__Output>
      CapabilityUpdate: MessageTypeDefinition<_orchion_v1_CapabilityUpdate, _orchion_v1_CapabilityUpdate__Output>
      ChatMessage: MessageTypeDefinition<_orchion_v1_ChatMessage, _orchion_v1_ChatMessage__Output>
      ChatMessages: MessageTypeDefinition<_orchion_v1_ChatMessages, _orchion_v1_ChatMessages__Output>
      ContainerEngine: MessageTypeDefinition<_orchion_v1_ContainerEngine, _orchion_v1_ContainerEngine__Output>
      CpuInfo: MessageTypeDefinition<_orchion_v1_CpuInfo, _orchion_v1_CpuInfo__Output>
      EmbedInput: MessageTypeDefinition<_orchion_v1_EmbedInput, _orchion_v1_EmbedInput__Output>
      Embedding: MessageTypeDefinition<_orchion_v1_Embedding, _orchion_v1_Embedding__Output>
      GenerateOptions: MessageTypeDefinition<_orchion_v1_GenerateOptions, _orchion_v1_GenerateOptions__Output>
      Goodbye: MessageTypeDefinition<_orchion_v1_Goodbye, _orchion_v1_Goodbye__Output>
      Gpu: MessageTypeDefinition<_orchion_v1_Gpu, _orchion_v1_Gpu__Output>
      GpuList: MessageTypeDefinition<_orchion_v1_GpuList, _orchion_v1_GpuList__Output>
      Heartbeat: MessageTypeDefinition<_orchion_v1_Heartbeat, _orchion_v1_Heartbeat__Output>
      Hello: MessageTypeDefinition<_orchion_v1_Hello, _orchion_v1_Hello__Output>
      MemoryInfo: MessageTypeDefinition<_orchion_v1_MemoryInfo, _orchion_v1_MemoryInfo__Output>
      ModelInfo: MessageTypeDefinition<_orchion_v1_ModelInfo, _orchion_v1_ModelInfo__Output>
      ModelList: MessageTypeDefinition<_orchion_v1_ModelList, _orchion_v1_ModelList__Output>
      NodeLog: MessageTypeDefinition<_orchion_v1_NodeLog, _orchion_v1_NodeLog__Output>
      NodeLogLine: MessageTypeDefinition<_orchion_v1_NodeLogLine, _orchion_v1_NodeLogLine__Output>
      OrchestratorMessage: MessageTypeDefinition<_orchion_v1_OrchestratorMessage, _orchion_v1_OrchestratorMessage__Output>
      OsInfo: MessageTypeDefinition<_orchion_v1_OsInfo, _orchion_v1_OsInfo__Output>
      OutputChunk: MessageTypeDefinition<_orchion_v1_OutputChunk, _orchion_v1_OutputChunk__Output>
      Progress: MessageTypeDefinition<_orchion_v1_Progress, _orchion_v1_Progress__Output>
      RuntimeList: MessageTypeDefinition<_orchion_v1_RuntimeList, _orchion_v1_RuntimeList__Output>
      TaskError: MessageTypeDefinition<_orchion_v1_TaskError, _orchion_v1_TaskError__Output>
      TaskOutput: MessageTypeDefinition<_orchion_v1_TaskOutput, _orchion_v1_TaskOutput__Output>
      TaskResult: MessageTypeDefinition<_orchion_v1_TaskResult, _orchion_v1_TaskResult__Output>
      TaskState: EnumTypeDefinition
      TaskUpdate: MessageTypeDefinition<_orchion_v1_TaskUpdate, _orchion_v1_TaskUpdate__Output>
      Welcome: MessageTypeDefinition<_orchion_v1_Welcome, _orchion_v1_Welcome__Output>
    }
  }
}

