// Shapes as the API sends them, for the unit tests of the data layer.
import type { AttemptView, JobSummary, NodeView, OrchionEvent, StepView } from '@orchion/api';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const iso = (ms: number): string => new Date(T0 + ms).toISOString();

export function node(id: string, over: Partial<NodeView> = {}): NodeView {
  return {
    id,
    hostname: `host-${id}`,
    labels: {},
    agentVersion: '0.1.0',
    state: 'ready',
    stateReason: 'registered',
    capabilities: {
      cpu: { manufacturer: 'AMD', brand: 'EPYC', cores: 8, physicalCores: 4, speedGhz: 3 },
      memory: { totalBytes: 16 * 1024 ** 3, freeBytes: 8 * 1024 ** 3, availableBytes: 12 * 1024 ** 3 },
      os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6.1', arch: 'x64' },
      gpus: [],
      containerEngine: null,
    },
    models: [],
    runtimes: ['embedded'],
    slots: 2,
    heartbeatIntervalMs: 5000,
    address: '127.0.0.1:1',
    firstRegisteredAt: iso(0),
    registeredAt: iso(0),
    registrations: 1,
    lastHeartbeatAt: iso(0),
    stateChangedAt: iso(0),
    ...over,
  };
}

export function job(id: string, over: Partial<JobSummary> = {}): JobSummary {
  return {
    id,
    name: `pipe-${id}`,
    state: 'queued',
    createdAt: iso(0),
    startedAt: null,
    finishedAt: null,
    error: null,
    steps: { queued: 1 },
    ...over,
  };
}

export function attempt(over: Partial<AttemptView> = {}): AttemptView {
  return {
    id: 'a1',
    attempt: 1,
    state: 'running',
    nodeId: 'n1',
    notBefore: null,
    errorCode: null,
    error: null,
    tokens: 0,
    queuedAt: iso(0),
    startedAt: iso(1000),
    finishedAt: null,
    ...over,
  };
}

export function step(id: string, over: Partial<StepView> = {}): StepView {
  return {
    id,
    kind: 'completion',
    state: 'running',
    model: 'orchion-tiny',
    runtime: null,
    needs: [],
    output: null,
    result: null,
    error: null,
    waitingFor: null,
    startedAt: iso(1000),
    finishedAt: null,
    attempts: [attempt()],
    ...over,
  };
}

let nextId = 1;
export function event<T>(type: OrchionEvent['type'], data: T, atMs = 0): OrchionEvent<T> {
  return { id: nextId++, type, time: iso(atMs), data };
}
