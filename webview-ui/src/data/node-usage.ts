// What a node's bars show, from its reported capabilities and the tasks the dashboard knows it runs (pure).
import type { NodeView } from '@orchion/api';
import { formatBytes } from './format';

export interface Gauge {
  /** Stable key, e.g. `memory`, `gpu0`, `vram0`. */
  key: string;
  label: string;
  /** 0..1, or undefined when the node does not report it. */
  fraction: number | undefined;
  /** The value in words, e.g. "5.1 GiB of 16 GiB". */
  detail: string;
}

const ratio = (used: number, total: number): number | undefined =>
  total > 0 && Number.isFinite(used) ? Math.min(1, Math.max(0, used / total)) : undefined;

/** Slots (tasks at once) in use, memory, then each GPU's utilisation and VRAM. */
export function nodeGauges(node: NodeView, busySlots: number): Gauge[] {
  const gauges: Gauge[] = [];
  const slots = Math.max(0, node.slots);
  gauges.push({
    key: 'slots',
    label: 'Slots',
    fraction: ratio(busySlots, slots),
    detail: `${busySlots} of ${slots} task${slots === 1 ? '' : 's'} running`,
  });
  const mem = node.capabilities?.memory;
  if (mem && mem.totalBytes > 0) {
    const used = mem.totalBytes - (mem.availableBytes || mem.freeBytes);
    gauges.push({
      key: 'memory',
      label: 'Memory',
      fraction: ratio(used, mem.totalBytes),
      detail: `${formatBytes(used)} of ${formatBytes(mem.totalBytes)}`,
    });
  }
  for (const gpu of node.capabilities?.gpus ?? []) {
    const name = `GPU ${gpu.index}`;
    gauges.push({
      key: `gpu${gpu.index}`,
      label: name,
      fraction: gpu.utilizationPercent === undefined ? undefined : ratio(gpu.utilizationPercent, 100),
      detail:
        `${gpu.model || gpu.vendor || 'GPU'}` +
        (gpu.utilizationPercent === undefined
          ? ', utilisation not reported'
          : ` at ${gpu.utilizationPercent}%`) +
        (gpu.powerDrawWatts !== undefined ? `, ${Math.round(gpu.powerDrawWatts)} W` : '') +
        (gpu.temperatureCelsius !== undefined ? `, ${Math.round(gpu.temperatureCelsius)} °C` : ''),
    });
    gauges.push({
      key: `vram${gpu.index}`,
      label: `${name} VRAM`,
      fraction: gpu.vramUsedBytes === undefined ? undefined : ratio(gpu.vramUsedBytes, gpu.vramTotalBytes),
      detail:
        gpu.vramUsedBytes === undefined
          ? `${formatBytes(gpu.vramTotalBytes)} (use not reported)`
          : `${formatBytes(gpu.vramUsedBytes)} of ${formatBytes(gpu.vramTotalBytes)}`,
    });
  }
  return gauges;
}

/** One line about the node's CPU and OS, e.g. "8 cores · Intel Xeon · linux x64". */
export function nodeSummary(node: NodeView): string {
  const cpu = node.capabilities?.cpu;
  const os = node.capabilities?.os;
  const parts: string[] = [];
  if (cpu)
    parts.push(
      `${cpu.cores} core${cpu.cores === 1 ? '' : 's'}`,
      [cpu.manufacturer, cpu.brand].filter(Boolean).join(' '),
    );
  if (os) parts.push([os.distro || os.platform, os.arch].filter(Boolean).join(' '));
  return parts.filter(Boolean).join(' · ');
}

/** Nodes whose hostname, id, labels (k=v), runtimes or model names contain the text (case-insensitive). */
export function matchNodes(nodes: readonly NodeView[], text: string): NodeView[] {
  const q = text.trim().toLowerCase();
  if (!q) return [...nodes];
  return nodes.filter(
    (n) =>
      n.hostname.toLowerCase().includes(q) ||
      n.id.startsWith(q) ||
      Object.entries(n.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(q)) ||
      n.runtimes.some((r) => r.toLowerCase().includes(q)) ||
      n.models.some((m) => m.name.toLowerCase().includes(q)),
  );
}
