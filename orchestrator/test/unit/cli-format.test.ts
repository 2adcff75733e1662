import { describe, expect, it } from 'vitest';
import { bytes, gpuName } from '../../src/cli/format';

describe('CLI formatting', () => {
  it('names a GPU once: nvidia-smi says vendor "NVIDIA", model "NVIDIA H200"', () => {
    expect(gpuName({ vendor: 'NVIDIA', model: 'NVIDIA H200' })).toBe('NVIDIA H200');
    expect(gpuName({ vendor: 'NVIDIA Corporation', model: 'NVIDIA H200' })).toBe('NVIDIA H200');
    expect(gpuName({ vendor: 'Advanced Micro Devices, Inc.', model: 'Radeon RX 7900 XTX' })).toBe(
      'Advanced Micro Devices, Inc. Radeon RX 7900 XTX',
    );
    expect(gpuName({ vendor: 'Apple', model: '' })).toBe('Apple');
  });

  it('prints sizes in binary units', () => {
    expect(bytes(143771 * 1024 * 1024)).toBe('140 GiB');
  });
});
