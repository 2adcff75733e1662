import { describe, expect, it } from 'vitest';
import { applyChanges, capabilityChanges } from '../../src/capabilities/diff';
import type { CollectedCapabilities } from '../../src/capabilities/collect';

const GiB = 1024 ** 3;
const base: CollectedCapabilities = {
  cpu: { manufacturer: 'AMD', brand: 'EPYC', cores: 2, physicalCores: 2, speedGhz: 2 },
  memory: { totalBytes: 16 * GiB, freeBytes: 8 * GiB, availableBytes: 10 * GiB },
  os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6', arch: 'x64' },
  gpus: [
    {
      index: 0,
      vendor: 'NVIDIA',
      model: 'A100',
      vramTotalBytes: 40 * GiB,
      vramUsedBytes: 1 * GiB,
      utilizationPercent: 0,
      bus: '0',
    },
  ],
};

describe('capabilityChanges', () => {
  it('sends nothing when nothing moved meaningfully', () => {
    const next = structuredClone(base);
    next.memory.freeBytes = Number(next.memory.freeBytes) + 10 * 1024 * 1024;
    next.gpus[0]!.utilizationPercent = 3;
    expect(capabilityChanges(base, next)).toBeUndefined();
  });

  it('sends only the sections that changed', () => {
    const next = structuredClone(base);
    next.memory.freeBytes = 4 * GiB;
    const update = capabilityChanges(base, next)!;
    expect(Object.keys(update)).toEqual(['memory']);
    expect(applyChanges(base, update).memory.freeBytes).toBe(4 * GiB);
  });

  it('sends GPUs when utilisation, VRAM use or the set of GPUs changes', () => {
    const busy = structuredClone(base);
    busy.gpus[0]!.utilizationPercent = 80;
    expect(capabilityChanges(base, busy)?.gpus?.gpus).toHaveLength(1);
    const none = { ...structuredClone(base), gpus: [] };
    expect(capabilityChanges(base, none)?.gpus?.gpus).toEqual([]);
    const appeared = structuredClone(base);
    delete appeared.gpus[0]!.vramUsedBytes;
    expect(capabilityChanges(base, appeared)?.gpus).toBeDefined();
  });
});
