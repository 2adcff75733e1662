/**
 * NVIDIA GPUs as the driver's own tool reports them. systeminformation asks nvidia-smi too, but merges its rows
 * into the PCI controllers by bus address, and where the two disagree (virtual machines: an H200 whose lspci
 * address is 00:00.6 while nvidia-smi says 00000000:00:06.0) the usage, power and temperature are lost. Reading
 * nvidia-smi directly keeps them. Absent tool, no driver or a timeout: undefined (the caller keeps what
 * systeminformation found).
 */
import { execFile } from 'node:child_process';
import type { Gpu } from '@orchion/proto';

const FIELDS = [
  'index',
  'name',
  'pci.bus_id',
  'memory.total',
  'memory.used',
  'utilization.gpu',
  'power.draw',
  'power.limit',
  'temperature.gpu',
] as const;

const MiB = 1024 * 1024;
const TIMEOUT_MS = 5_000;

/** A number field of nvidia-smi's CSV, or undefined for `[N/A]`, `[Not Supported]` and the like. */
function num(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** Parses `--query-gpu=<FIELDS> --format=csv,noheader,nounits` output. */
export function parseNvidiaSmi(csv: string): Gpu[] {
  const gpus: Gpu[] = [];
  for (const line of csv.split('\n')) {
    const cols = line.split(',').map((c) => c.trim());
    if (cols.length !== FIELDS.length) continue;
    const [index, name, bus, total, used, util, draw, limit, temp] = cols;
    const gpu: Gpu = {
      index: num(index) ?? gpus.length,
      vendor: 'NVIDIA',
      model: name ?? '',
      vramTotalBytes: Math.round((num(total) ?? 0) * MiB),
      bus: bus ?? '',
    };
    const set = <K extends keyof Gpu>(k: K, v: Gpu[K] | undefined) => {
      if (v !== undefined) gpu[k] = v;
    };
    const usedMiB = num(used);
    set('vramUsedBytes', usedMiB === undefined ? undefined : Math.round(usedMiB * MiB));
    set('utilizationPercent', num(util));
    set('powerDrawWatts', num(draw));
    set('powerLimitWatts', num(limit));
    set('temperatureCelsius', num(temp));
    gpus.push(gpu);
  }
  return gpus;
}

/** The NVIDIA GPUs, or undefined when nvidia-smi cannot tell (not installed, no driver, an error). */
export function queryNvidiaSmi(binary = 'nvidia-smi'): Promise<Gpu[] | undefined> {
  return new Promise((resolve) => {
    execFile(
      binary,
      [`--query-gpu=${FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
      { timeout: TIMEOUT_MS, windowsHide: true },
      (err, stdout) => resolve(err ? undefined : parseNvidiaSmi(stdout)),
    );
  });
}
