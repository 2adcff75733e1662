/**
 * GPU requests of managed containers. Docker accepts GPU DeviceRequests at create and fails only at start on a
 * host without GPUs (Podman silently ignores them), so the request is checked against the GPUs the agent itself
 * detected (systeminformation) before Docker is asked, with a clear error.
 */
import type Docker from 'dockerode';
import { collectGpus } from '../../capabilities/collect.js';
import { ContainerError } from './errors.js';

/** 'auto': all GPUs when the node has some, else none; 'all'; a count; 0 or 'none': CPU only. */
export type GpuRequest = 'auto' | 'all' | 'none' | number;

/** NVIDIA GPUs (what Docker's `gpu` capability drives through the NVIDIA container toolkit). */
export async function detectNvidiaGpus(): Promise<number> {
  try {
    return (await collectGpus()).filter((g) => /nvidia/i.test(g.vendor ?? '')).length;
  } catch {
    return 0;
  }
}

/** The DeviceRequests for a request, or none; throws 'gpu-unavailable' when GPUs are required and missing. */
export function gpuDeviceRequests(
  runtime: string,
  request: GpuRequest,
  detected: number,
): Docker.DeviceRequest[] | undefined {
  if (request === 'none' || request === 0) return undefined;
  if (request === 'auto') return detected > 0 ? [allGpus()] : undefined;
  const wanted = request === 'all' ? 1 : request;
  if (!Number.isInteger(wanted) || wanted < 0) {
    throw new ContainerError('gpu-unavailable', `${runtime}: invalid GPU request ${JSON.stringify(request)}`);
  }
  if (detected < wanted) {
    throw new ContainerError(
      'gpu-unavailable',
      `${runtime}: ${request === 'all' ? 'all GPUs' : `${wanted} GPU(s)`} requested but this node has ` +
        `${detected === 0 ? 'no NVIDIA GPU' : `only ${detected} NVIDIA GPU(s)`} (detected by the agent); ` +
        'the container was not created. Set gpus to 0 or "auto" to run on the CPU.',
    );
  }
  return [request === 'all' ? allGpus() : { Driver: '', Count: wanted, Capabilities: [['gpu']] }];
}

const allGpus = (): Docker.DeviceRequest => ({ Driver: '', Count: -1, Capabilities: [['gpu']] });
