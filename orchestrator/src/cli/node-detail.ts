// What `orchion node ID` prints: a node's registration, machine, GPUs, runtimes and models, one line each.
import type { NodeView } from '@orchion/api';
import { ago, bytes, gpuName } from './format';

export function labels(n: NodeView): string {
  const entries = Object.entries(n.labels);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '-';
}

function containerEngine(n: NodeView): string | undefined {
  const e = n.capabilities.containerEngine;
  if (!e) return undefined;
  return e.available
    ? `Docker    ${e.version} (API ${e.apiVersion}) at ${e.endpoint}`
    : `Docker    unavailable at ${e.endpoint}: ${e.error}`;
}

function gpuLines(n: NodeView): string[] {
  const gpus = n.capabilities.gpus ?? [];
  if (gpus.length === 0) return ['GPUs      none'];
  return gpus.map((g) => {
    const extra = [
      g.vramUsedBytes !== undefined ? `${bytes(g.vramUsedBytes)} used` : undefined,
      g.utilizationPercent !== undefined ? `${g.utilizationPercent}% busy` : undefined,
      g.powerDrawWatts !== undefined
        ? `${Math.round(g.powerDrawWatts)}${g.powerLimitWatts ? ` of ${Math.round(g.powerLimitWatts)}` : ''} W`
        : undefined,
      g.temperatureCelsius !== undefined ? `${g.temperatureCelsius} °C` : undefined,
    ].filter(Boolean);
    const vram = `${bytes(g.vramTotalBytes)} VRAM`;
    return `GPU ${g.index}     ${gpuName(g)}, ${vram}${extra.length ? `, ${extra.join(', ')}` : ''}`;
  });
}

/** A model as `name (runtime, size, loaded)`, or with its error. */
function model(m: NodeView['models'][number]): string {
  const facts = [m.runtime, m.sizeBytes > 0 ? bytes(m.sizeBytes) : undefined];
  if (m.error) facts.push(`unusable: ${m.error}`);
  else if (m.loaded) facts.push('loaded');
  return `${m.name} (${facts.filter(Boolean).join(', ')})`;
}

export function nodeDetail(n: NodeView, now = Date.now()): string[] {
  const c = n.capabilities;
  const lines = [
    `Node      ${n.id}`,
    `Hostname  ${n.hostname}   (${n.address})`,
    `State     ${n.state}: ${n.stateReason} (since ${ago(n.stateChangedAt, now)})`,
    `Agent     v${n.agentVersion}, heartbeat every ${n.heartbeatIntervalMs / 1000}s, last ${ago(n.lastHeartbeatAt, now)}`,
    `Joined    ${n.firstRegisteredAt} (${n.registrations} registrations, latest ${ago(n.registeredAt, now)})`,
    `Labels    ${labels(n)}`,
    `CPU       ${c.cpu?.manufacturer ?? ''} ${c.cpu?.brand ?? ''}, ${c.cpu?.cores ?? '?'} cores (${c.cpu?.physicalCores ?? '?'} physical)`,
    `Memory    ${bytes(c.memory?.availableBytes)} available of ${bytes(c.memory?.totalBytes)}`,
    `OS        ${c.os?.distro ?? ''} ${c.os?.release ?? ''} (${c.os?.platform ?? ''} ${c.os?.kernel ?? ''}, ${c.os?.arch ?? ''})`,
  ];
  const docker = containerEngine(n);
  if (docker) lines.push(docker);
  lines.push(...gpuLines(n));
  lines.push(
    `Runtimes  ${n.runtimes.length ? n.runtimes.join(', ') : 'none'} (${n.slots} ${n.slots === 1 ? 'slot' : 'slots'})`,
  );
  if (n.models.length === 0) lines.push('Models    none');
  n.models.forEach((m, i) => lines.push(`${i === 0 ? 'Models   ' : '         '} ${model(m)}`));
  return lines;
}
