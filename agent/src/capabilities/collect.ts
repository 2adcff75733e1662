// Reads this machine's capabilities with systeminformation, in the wire shape of the gRPC contract.
import type { CpuInfo, Gpu, MemoryInfo, OsInfo } from '@orchion/proto';
import si from 'systeminformation';
import type { ContainerEngineCapability } from './container-engine';
import { queryNvidiaSmi } from './nvidia-smi';

const MiB = 1024 * 1024;

export async function collectCpu(): Promise<CpuInfo> {
  const cpu = await si.cpu();
  return {
    manufacturer: cpu.manufacturer,
    brand: cpu.brand,
    cores: cpu.cores,
    physicalCores: cpu.physicalCores,
    speedGhz: cpu.speedMax || cpu.speed || 0,
  };
}

export async function collectMemory(): Promise<MemoryInfo> {
  const mem = await si.mem();
  return { totalBytes: mem.total, freeBytes: mem.free, availableBytes: mem.available };
}

export async function collectOs(): Promise<OsInfo> {
  const os = await si.osInfo();
  return { platform: os.platform, distro: os.distro, release: os.release, kernel: os.kernel, arch: os.arch };
}

const GPU_VENDOR = /nvidia|amd|advanced micro devices|ati|intel|apple/i;

/**
 * The machine's GPUs: NVIDIA ones as nvidia-smi reports them when it answers (see nvidia-smi.ts), the others
 * (and NVIDIA ones without a working nvidia-smi) from systeminformation.
 */
export async function collectGpus(o: { nvidiaSmi?: () => Promise<Gpu[] | undefined> } = {}): Promise<Gpu[]> {
  const [found, nvidia] = await Promise.all([systemGpus(), (o.nvidiaSmi ?? queryNvidiaSmi)()]);
  if (!nvidia?.length) return found;
  const others = found.filter((g) => !/nvidia/i.test(g.vendor ?? ''));
  return [...nvidia, ...others].map((g, index) => ({ ...g, index }));
}

async function systemGpus(): Promise<Gpu[]> {
  const { controllers } = await si.graphics();
  return controllers
    .filter((c) => (c.vram ?? 0) > 0 || c.utilizationGpu !== undefined || GPU_VENDOR.test(c.vendor ?? ''))
    .map((c, index) => {
      const gpu: Gpu = {
        index,
        vendor: c.vendor ?? '',
        model: c.model ?? c.name ?? '',
        vramTotalBytes: Math.round((c.vram ?? c.memoryTotal ?? 0) * MiB),
        bus: c.bus ?? c.pciBus ?? '',
      };
      if (c.memoryUsed !== undefined) gpu.vramUsedBytes = Math.round(c.memoryUsed * MiB);
      if (c.utilizationGpu !== undefined) gpu.utilizationPercent = c.utilizationGpu;
      if (c.powerDraw !== undefined) gpu.powerDrawWatts = c.powerDraw;
      if (c.powerLimit !== undefined) gpu.powerLimitWatts = c.powerLimit;
      if (c.temperatureGpu !== undefined) gpu.temperatureCelsius = c.temperatureGpu;
      return gpu;
    });
}

export interface CollectedCapabilities {
  cpu: CpuInfo;
  memory: MemoryInfo;
  os: OsInfo;
  gpus: Gpu[];
  /** The Docker Engine of managed runtimes; absent when the agent manages no containers. */
  containerEngine?: ContainerEngineCapability;
}

export interface CollectOptions {
  /** Probes the container engine (bounded, never throws); undefined when containers are not configured. */
  containerEngine?: () => Promise<ContainerEngineCapability | undefined>;
}

export async function collectCapabilities(o: CollectOptions = {}): Promise<CollectedCapabilities> {
  const [cpu, memory, os, gpus, containerEngine] = await Promise.all([
    collectCpu(),
    collectMemory(),
    collectOs(),
    collectGpus(),
    o.containerEngine?.(),
  ]);
  return { cpu, memory, os, gpus, ...(containerEngine ? { containerEngine } : {}) };
}
