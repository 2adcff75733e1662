// The gRPC contract's runtime loader and its generated TypeScript wire types.
// The descriptor is generated from orchion/v1/*.proto (npm run gen:proto), so bundles need no .proto files.
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import type { INamespace } from 'protobufjs';
import descriptor from './generated/descriptor.json' with { type: 'json' };
import type { ProtoGrpcType } from './generated/agent';

export const PROTOCOL_VERSION = 1;

let cached: ProtoGrpcType | undefined;

/** Loads the orchion.v1 package definition (camelCase fields, longs as numbers, defaults filled in). */
export function loadOrchionProto(): ProtoGrpcType {
  if (!cached) {
    const definition = fromJSON(descriptor as INamespace, {
      keepCase: false,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    cached = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  }
  return cached;
}

/**
 * A decoded message without proto-loader's markers of proto3 `optional` fields. `oneofs: true` (which the
 * `payload` oneofs need) also gives each optional field a virtual oneof property naming it, such as
 * `_vramUsedBytes: 'vramUsedBytes'`; views and stored JSON leave those out.
 */
export function withoutOptionalMarkers<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => withoutOptionalMarkers(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('_') && v === k.slice(1)) continue;
    out[k] = withoutOptionalMarkers(v);
  }
  return out as T;
}

export type { AgentMessage, AgentMessage__Output } from './generated/orchion/v1/AgentMessage';
export type {
  OrchestratorMessage,
  OrchestratorMessage__Output,
} from './generated/orchion/v1/OrchestratorMessage';
export type { Hello, Hello__Output } from './generated/orchion/v1/Hello';
export type { Welcome, Welcome__Output } from './generated/orchion/v1/Welcome';
export type { Heartbeat, Heartbeat__Output } from './generated/orchion/v1/Heartbeat';
export type { CapabilityUpdate, CapabilityUpdate__Output } from './generated/orchion/v1/CapabilityUpdate';
export type { Capabilities, Capabilities__Output } from './generated/orchion/v1/Capabilities';
export type { CpuInfo, CpuInfo__Output } from './generated/orchion/v1/CpuInfo';
export type { MemoryInfo, MemoryInfo__Output } from './generated/orchion/v1/MemoryInfo';
export type { OsInfo, OsInfo__Output } from './generated/orchion/v1/OsInfo';
export type { Gpu, Gpu__Output } from './generated/orchion/v1/Gpu';
export type { Goodbye, Goodbye__Output } from './generated/orchion/v1/Goodbye';
export type { ModelInfo, ModelInfo__Output } from './generated/orchion/v1/ModelInfo';
export type { ModelList, ModelList__Output } from './generated/orchion/v1/ModelList';
export type { AssignTask, AssignTask__Output } from './generated/orchion/v1/AssignTask';
export type { CancelTask, CancelTask__Output } from './generated/orchion/v1/CancelTask';
export type { ChatMessage, ChatMessage__Output } from './generated/orchion/v1/ChatMessage';
export type { ChatMessages, ChatMessages__Output } from './generated/orchion/v1/ChatMessages';
export type { EmbedInput, EmbedInput__Output } from './generated/orchion/v1/EmbedInput';
export type { GenerateOptions, GenerateOptions__Output } from './generated/orchion/v1/GenerateOptions';
export type { TaskUpdate, TaskUpdate__Output } from './generated/orchion/v1/TaskUpdate';
export type { TaskResult, TaskResult__Output } from './generated/orchion/v1/TaskResult';
export type { TaskError, TaskError__Output } from './generated/orchion/v1/TaskError';
export type { TaskOutput, TaskOutput__Output } from './generated/orchion/v1/TaskOutput';
export type { OutputChunk, OutputChunk__Output } from './generated/orchion/v1/OutputChunk';
export type { Embedding, Embedding__Output } from './generated/orchion/v1/Embedding';
export type { TaskState, TaskState__Output } from './generated/orchion/v1/TaskState';
export type {
  AgentServiceClient,
  AgentServiceHandlers,
  AgentServiceDefinition,
} from './generated/orchion/v1/AgentService';
export * from './data-plane';
export * from './data-plane-mux';
