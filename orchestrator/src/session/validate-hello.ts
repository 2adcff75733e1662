// Checks an agent's registration before it reaches the registry (INVALID_ARGUMENT on failure).
import { PROTOCOL_VERSION, type Hello__Output } from '@orchion/proto';

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,62})$/;
const MAX_LABELS = 64;

/** Returns a human message describing what is wrong, or undefined when the hello is acceptable. */
export function validateHello(hello: Hello__Output): string | undefined {
  if (!NODE_ID.test(hello.nodeId)) return 'node_id must be 1-64 characters of [A-Za-z0-9._-]';
  if (!hello.hostname || hello.hostname.length > 255) return 'hostname must be 1-255 characters';
  if (hello.agentVersion.length > 64) return 'agent_version is longer than 64 characters';
  if (hello.protocolVersion !== PROTOCOL_VERSION) {
    return `protocol_version ${hello.protocolVersion} is not supported (this orchestrator speaks ${PROTOCOL_VERSION})`;
  }
  if (hello.heartbeatIntervalMs < 100 || hello.heartbeatIntervalMs > 600_000) {
    return 'heartbeat_interval_ms must be between 100 and 600000';
  }
  const labels = Object.entries(hello.labels ?? {});
  if (labels.length > MAX_LABELS) return `at most ${MAX_LABELS} labels are allowed`;
  for (const [k, v] of labels) {
    if (!LABEL_KEY.test(k)) return `label key "${k.slice(0, 80)}" must match ${LABEL_KEY.source}`;
    if (v.length > 256) return `label "${k}" has a value longer than 256 characters`;
  }
  const caps = hello.capabilities;
  if (!caps || !caps.cpu || !caps.memory || !caps.os) return 'capabilities (cpu, memory, os) are required';
  if (caps.gpus.length > 64) return 'at most 64 GPUs are supported';
  return undefined;
}
