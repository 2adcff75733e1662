/**
 * The Docker create-options of a managed container: the plan's command, environment and mounts, plus what every
 * managed container gets: Orchion labels, an init process (so SIGTERM stops the server at once), the host network
 * (the server binds a loopback port; no bridge, no published ports), a bounded on-failure restart policy, rotated
 * logs, and GPU device requests only when the manager resolved some.
 */
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { containerName, LABEL } from './labels.js';
import type { ContainerPlan } from './plan.js';

export interface CreateContext {
  nodeId: string;
  port: number;
  deviceRequests?: Docker.DeviceRequest[];
  /** Docker's own restarts of a server that exits non-zero (`on-failure` limit). */
  restartRetries: number;
}

/** Identifies a plan's configuration (the port only when it is fixed): adoption replaces a container whose hash differs. */
export function planHash(plan: ContainerPlan): string {
  const { Cmd, Env, Mounts, HostConfig } = plan.container(plan.port ?? 0);
  const json = JSON.stringify({ image: plan.image, gpus: plan.gpus, Cmd, Env, Mounts, HostConfig });
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

export function createOptions(plan: ContainerPlan, ctx: CreateContext): Docker.ContainerCreateOptions {
  const own = plan.container(ctx.port);
  return {
    name: containerName(ctx.nodeId, plan.name),
    Image: plan.image,
    ...(own.Cmd ? { Cmd: own.Cmd } : {}),
    Env: own.Env,
    Tty: false,
    Labels: {
      [LABEL.managed]: 'true',
      [LABEL.node]: ctx.nodeId,
      [LABEL.runtime]: plan.name,
      [LABEL.kind]: plan.kind,
      [LABEL.model]: plan.model,
      [LABEL.port]: String(ctx.port),
      [LABEL.spec]: planHash(plan),
    },
    HostConfig: {
      Init: true,
      NetworkMode: 'host',
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: ctx.restartRetries },
      Mounts: own.Mounts,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
      ...(ctx.deviceRequests ? { DeviceRequests: ctx.deviceRequests } : {}),
      ...own.HostConfig,
    },
  };
}
