// Decides which capability sections changed enough to be sent. Gauges that move all the time (free memory,
// GPU utilisation, power) are sent only when they move by a meaningful step, so an idle fleet stays quiet.
import type { CapabilityUpdate, Gpu, MemoryInfo } from '@orchion/proto';
import type { CollectedCapabilities } from './collect';

const MiB = 1024 * 1024;

function memoryMoved(a: MemoryInfo, b: MemoryInfo): boolean {
  const step = Math.max(Number(b.totalBytes ?? 0) * 0.01, 64 * MiB);
  return (
    Number(a.totalBytes) !== Number(b.totalBytes) ||
    Math.abs(Number(a.freeBytes ?? 0) - Number(b.freeBytes ?? 0)) >= step ||
    Math.abs(Number(a.availableBytes ?? 0) - Number(b.availableBytes ?? 0)) >= step
  );
}

const num = (v: number | string | object | null | undefined): number | undefined =>
  v === undefined || v === null ? undefined : Number(v);

const moved = (a: Gpu[keyof Gpu], b: Gpu[keyof Gpu], step: number): boolean => {
  const x = num(a);
  const y = num(b);
  return x === undefined || y === undefined ? x !== y : Math.abs(x - y) >= step;
};

function gpuMoved(a: Gpu, b: Gpu): boolean {
  const total = num(b.vramTotalBytes) ?? 0;
  return (
    a.vendor !== b.vendor ||
    a.model !== b.model ||
    a.bus !== b.bus ||
    num(a.vramTotalBytes) !== num(b.vramTotalBytes) ||
    num(a.powerLimitWatts) !== num(b.powerLimitWatts) ||
    moved(a.vramUsedBytes, b.vramUsedBytes, Math.max(total * 0.02, 256 * MiB)) ||
    moved(a.utilizationPercent, b.utilizationPercent, 5) ||
    moved(a.powerDrawWatts, b.powerDrawWatts, 5) ||
    moved(a.temperatureCelsius, b.temperatureCelsius, 3)
  );
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The sections of `next` that differ meaningfully from `sent`, or undefined when nothing is worth sending. */
export function capabilityChanges(
  sent: CollectedCapabilities,
  next: CollectedCapabilities,
): CapabilityUpdate | undefined {
  const update: CapabilityUpdate = {};
  if (!sameJson(sent.cpu, next.cpu)) update.cpu = next.cpu;
  if (!sameJson(sent.os, next.os)) update.os = next.os;
  if (memoryMoved(sent.memory, next.memory)) update.memory = next.memory;
  if (sent.gpus.length !== next.gpus.length || next.gpus.some((g, i) => gpuMoved(sent.gpus[i]!, g))) {
    update.gpus = { gpus: next.gpus };
  }
  if (next.containerEngine && !sameJson(sent.containerEngine, next.containerEngine)) {
    update.containerEngine = next.containerEngine;
  }
  return Object.keys(update).length > 0 ? update : undefined;
}

/** What the orchestrator holds after applying `update` to `sent`. */
export function applyChanges(sent: CollectedCapabilities, update: CapabilityUpdate): CollectedCapabilities {
  return {
    cpu: update.cpu ?? sent.cpu,
    os: update.os ?? sent.os,
    memory: update.memory ?? sent.memory,
    gpus: update.gpus ? (update.gpus.gpus ?? []) : sent.gpus,
    ...((update.containerEngine ?? sent.containerEngine)
      ? { containerEngine: update.containerEngine ?? sent.containerEngine }
      : {}),
  };
}
