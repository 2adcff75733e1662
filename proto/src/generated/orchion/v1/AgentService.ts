// Original file: proto/orchion/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _orchion_v1_AgentMessage, AgentMessage__Output as _orchion_v1_AgentMessage__Output } from '../../orchion/v1/AgentMessage';
import type { OrchestratorMessage as _orchion_v1_OrchestratorMessage, OrchestratorMessage__Output as _orchion_v1_OrchestratorMessage__Output } from '../../orchion/v1/OrchestratorMessage';

export interface AgentServiceClient extends grpc.Client {
  Session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_orchion_v1_AgentMessage, _orchion_v1_OrchestratorMessage__Output>;
  Session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_orchion_v1_AgentMessage, _orchion_v1_OrchestratorMessage__Output>;
  session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_orchion_v1_AgentMessage, _orchion_v1_OrchestratorMessage__Output>;
  session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_orchion_v1_AgentMessage, _orchion_v1_OrchestratorMessage__Output>;
  
}

export interface AgentServiceHandlers extends grpc.UntypedServiceImplementation {
  Session: grpc.handleBidiStreamingCall<_orchion_v1_AgentMessage__Output, _orchion_v1_OrchestratorMessage>;
  
}

export interface AgentServiceDefinition extends grpc.ServiceDefinition {
  Session: MethodDefinition<_orchion_v1_AgentMessage, _orchion_v1_OrchestratorMessage, _orchion_v1_AgentMessage__Output, _orchion_v1_OrchestratorMessage__Output>
}
