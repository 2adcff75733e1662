// Builders of API shapes for the unit tests (plain data as the orchestrator sends it).
import type { JobSummary, JobView, NodeView, OrchionEvent, StepView } from '@orchion/api';

export function node(id: string, over: Partial<NodeView> = {}): NodeView {
  return {
    id,
    hostname: `host-${id}`,
    labels: { zone: 'lab' },
    agentVersion: '0.1.0',
    state: 'ready',
    stateReason: 'registered',
    capabilities: {
      cpu: { manufacturer: 'AMD', brand: 'EPYC', cores: 16, physicalCores: 8, speedGhz: 3 },
      memory: { totalBytes: 64 * 2 ** 30, freeBytes: 10 * 2 ** 30, availableBytes: 48 * 2 ** 30 },
      os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6.1', arch: 'x64' },
      gpus: [
        {
          index: 0,
          vendor: 'NVIDIA',
          model: 'H100',
          vramTotalBytes: 80 * 2 ** 30,
          vramUsedBytes: 20 * 2 ** 30,
          utilizationPercent: 37.4,
          bus: '0000:01:00.0',
        },
      ],
      containerEngine: null,
    },
    models: [
      {
        name: 'orchion-tiny',
        runtime: 'embedded',
        sizeBytes: 2 * 2 ** 20,
        architecture: 'llama',
        contextLength: 512,
        embeddingLength: 64,
        loaded: true,
        error: '',
      },
    ],
    runtimes: ['embedded', 'echo'],
    slots: 2,
    heartbeatIntervalMs: 5000,
    address: '127.0.0.1:5000',
    firstRegisteredAt: '2026-01-01T00:00:00.000Z',
    registeredAt: '2026-01-01T00:00:00.000Z',
    registrations: 1,
    lastHeartbeatAt: '2026-01-01T00:00:05.000Z',
    stateChangedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  } as NodeView;
}

export function job(id: string, over: Partial<JobSummary> = {}): JobSummary {
  return {
    id,
    name: 'hello',
    state: 'running',
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:01.000Z',
    finishedAt: null,
    error: null,
    steps: { running: 1, queued: 1 },
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
    startedAt: '2026-01-01T00:00:01.000Z',
    finishedAt: null,
    attempts: [
      {
        id: `${id}-a1`,
        attempt: 1,
        state: 'running',
        nodeId: 'n1',
        notBefore: null,
        errorCode: null,
        error: null,
        tokens: 3,
        queuedAt: '2026-01-01T00:00:00.500Z',
        startedAt: '2026-01-01T00:00:01.000Z',
        finishedAt: null,
      },
    ],
    ...over,
  };
}

export function jobView(summary: JobSummary, steps: StepView[], pipeline = ''): JobView {
  return { ...summary, inputs: {}, outputs: null, pipeline, stepDetails: steps };
}

let nextId = 1;
export function event<T>(type: OrchionEvent['type'], data: T): OrchionEvent<T> {
  return { id: nextId++, type, time: '2026-01-01T00:00:00.000Z', data };
}
