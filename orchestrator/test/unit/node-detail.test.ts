/**
 * `orchion node ID` and the node view's capabilities, from what the agent reported on an NVIDIA H200 in the device
 * check of 2026-11-27.
 */
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { NodeView } from '@orchion/api';
import { withoutOptionalMarkers } from '@orchion/proto';
import descriptor from '../../../proto/src/generated/descriptor.json' with { type: 'json' };
import { nodeDetail } from '../../src/cli/node-detail';

const H200 = {
  index: 0,
  vendor: 'NVIDIA',
  model: 'NVIDIA H200',
  vramTotalBytes: 150754820096,
  bus: '00000000:00:06.0',
  vramUsedBytes: 0,
  utilizationPercent: 0,
  powerDrawWatts: 108.89,
  powerLimitWatts: 700,
  temperatureCelsius: 39,
};

const at = '2026-11-27T05:31:51.826Z';
const node: NodeView = {
  id: '3cd9f0df-a053-4b84-ac4c-52c66c8caf23',
  hostname: 'vm',
  labels: {},
  agentVersion: '0.1.0',
  state: 'ready',
  stateReason: 'registered',
  capabilities: {
    gpus: [H200],
    cpu: { manufacturer: 'Intel', brand: 'Xeon® Processor', cores: 16, physicalCores: 16, speedGhz: 0 },
    memory: { totalBytes: 135148564480, freeBytes: 132879740928, availableBytes: 134468628480 },
    os: {
      platform: 'linux',
      distro: 'Ubuntu',
      release: '24.04.3 LTS',
      kernel: '6.18.44-fc-v657-gpu',
      arch: 'x64',
    },
    containerEngine: null,
  },
  models: [
    {
      name: 'orchion-tiny',
      runtime: 'embedded',
      sizeBytes: 641312,
      architecture: 'llama',
      contextLength: 256,
      embeddingLength: 64,
      loaded: true,
      error: '',
    },
    {
      name: 'broken',
      runtime: 'embedded',
      sizeBytes: 1024,
      architecture: '',
      contextLength: 0,
      embeddingLength: 0,
      loaded: false,
      error: 'not a GGUF file',
    },
    {
      name: 'echo',
      runtime: 'echo',
      sizeBytes: 0,
      architecture: '',
      contextLength: 0,
      embeddingLength: 0,
      loaded: true,
      error: '',
    },
  ],
  runtimes: ['embedded', 'echo'],
  slots: 1,
  heartbeatIntervalMs: 5000,
  address: '127.0.0.1:60424',
  firstRegisteredAt: at,
  registeredAt: at,
  registrations: 1,
  lastHeartbeatAt: at,
  stateChangedAt: at,
};

describe('orchion node ID', () => {
  it('prints the machine, its GPUs with usage and power, the runtimes and the models', () => {
    expect(nodeDetail(node, Date.parse(at) + 3000)).toEqual([
      'Node      3cd9f0df-a053-4b84-ac4c-52c66c8caf23',
      'Hostname  vm   (127.0.0.1:60424)',
      'State     ready: registered (since 3s ago)',
      'Agent     v0.1.0, heartbeat every 5s, last 3s ago',
      `Joined    ${at} (1 registrations, latest 3s ago)`,
      'Labels    -',
      'CPU       Intel Xeon® Processor, 16 cores (16 physical)',
      'Memory    125 GiB available of 126 GiB',
      'OS        Ubuntu 24.04.3 LTS (linux 6.18.44-fc-v657-gpu, x64)',
      'GPU 0     NVIDIA H200, 140 GiB VRAM, 0 B used, 0% busy, 109 of 700 W, 39 °C',
      'Runtimes  embedded, echo (1 slot)',
      'Models    orchion-tiny (embedded, 626 KiB, loaded)',
      '          broken (embedded, 1.0 KiB, unusable: not a GGUF file)',
      '          echo (echo, loaded)',
    ]);
  });

  it('says when there are no GPUs and no models', () => {
    const bare = {
      ...node,
      capabilities: { ...node.capabilities, gpus: [] },
      models: [],
      runtimes: [],
      slots: 4,
    };
    const lines = nodeDetail(bare, Date.parse(at));
    expect(lines).toContain('GPUs      none');
    expect(lines).toContain('Runtimes  none (4 slots)');
    expect(lines).toContain('Models    none');
  });
});

describe('capabilities as decoded from the wire', () => {
  it("lose proto-loader's markers of optional fields (`_powerDrawWatts: 'powerDrawWatts'`)", () => {
    // Decoded as @grpc/proto-loader decodes it for the orchestrator (oneofs: true).
    const Gpu = protobuf.Root.fromJSON(descriptor as protobuf.INamespace).lookupType('orchion.v1.Gpu');
    const decoded = Gpu.toObject(Gpu.decode(Gpu.encode(Gpu.fromObject(H200)).finish()), {
      longs: Number,
      defaults: true,
      oneofs: true,
    });
    expect(decoded).toHaveProperty('_powerDrawWatts', 'powerDrawWatts');
    expect(withoutOptionalMarkers({ gpus: [decoded] })).toEqual({ gpus: [H200] });
  });
});
