import { describe, expect, it } from 'vitest';
import { gpuDeviceRequests } from './gpus.js';

const all = { Driver: '', Count: -1, Capabilities: [['gpu']] };

describe('gpuDeviceRequests', () => {
  it('asks Docker for GPUs only when the node has them', () => {
    expect(gpuDeviceRequests('r', 'auto', 0)).toBeUndefined();
    expect(gpuDeviceRequests('r', 'auto', 2)).toEqual([all]);
    expect(gpuDeviceRequests('r', 'none', 2)).toBeUndefined();
    expect(gpuDeviceRequests('r', 0, 2)).toBeUndefined();
    expect(gpuDeviceRequests('r', 'all', 1)).toEqual([all]);
    expect(gpuDeviceRequests('r', 2, 4)).toEqual([{ Driver: '', Count: 2, Capabilities: [['gpu']] }]);
  });

  it('refuses requests the node cannot serve, with a clear message', () => {
    expect(() => gpuDeviceRequests('vllm-x', 1, 0)).toThrow(
      'vllm-x: 1 GPU(s) requested but this node has no NVIDIA GPU (detected by the agent); the container was not ' +
        'created. Set gpus to 0 or "auto" to run on the CPU.',
    );
    expect(() => gpuDeviceRequests('r', 'all', 0)).toThrow(
      'all GPUs requested but this node has no NVIDIA GPU',
    );
    expect(() => gpuDeviceRequests('r', 4, 2)).toThrow(
      '4 GPU(s) requested but this node has only 2 NVIDIA GPU(s)',
    );
    expect(() => gpuDeviceRequests('r', 1.5, 2)).toThrow('invalid GPU request 1.5');
  });
});
