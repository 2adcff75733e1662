/**
 * What happens when a ready container dies: its run ends (in-flight requests fail as 'runtime-crashed'), the crash
 * is reported with the container's last log lines, and the container is started again with exponential backoff —
 * created again when it was removed behind the manager's back — until it is healthy, or marked 'failed' after too
 * many consecutive attempts (a container that stayed healthy for `stableMs` starts its count over).
 */
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ContainerOps } from './container-ops.js';
import { dockerMessage } from './errors.js';
import type { KeyedSerial } from './keyed-serial.js';
import { readLogTail } from './logs.js';
import type { ManagedContainer } from './managed-container.js';
import type { CrashReport, RestartPolicy } from './manager-types.js';
import type { ContainerPlan } from './plan.js';

export interface CrashRecoveryOptions {
  ops: ContainerOps;
  policy: RestartPolicy;
  serial: KeyedSerial;
  log: Logger;
  onCrash?: (report: CrashReport) => void;
  /** The entry's state changed. */
  emit(entry: ManagedContainer): void;
  /** Starts the entry's container, follows its logs and waits until its API answers. */
  start(entry: ManagedContainer): Promise<void>;
  ready(entry: ManagedContainer): void;
  deviceRequests(plan: ContainerPlan): Promise<Docker.DeviceRequest[] | undefined>;
  isClosed(): boolean;
  /** Log lines in a crash report. */
  logTail: number;
}

export class CrashRecovery {
  constructor(private readonly o: CrashRecoveryOptions) {}

  async crashed(entry: ManagedContainer, exitCode: number | undefined): Promise<void> {
    const { policy, log } = this.o;
    entry.endRun('crashed', `the container exited${exitCode === undefined ? '' : ` with code ${exitCode}`}`);
    this.o.emit(entry);
    if (entry.healthySince && Date.now() - entry.healthySince >= policy.stableMs) entry.attempts = 0;
    const state = await this.o.ops.runState(entry.container);
    const report: CrashReport = {
      runtime: entry.name,
      containerId: entry.containerId,
      exitCode: exitCode ?? (state.running ? undefined : state.exitCode),
      oomKilled: !state.running && state.oomKilled,
      restarts: entry.restarts,
      willRestart: entry.attempts < policy.maxAttempts,
      lastLogs: await readLogTail(entry.container, this.o.logTail),
    };
    log.warn(
      {
        runtime: entry.name,
        exitCode: report.exitCode,
        oomKilled: report.oomKilled,
        lastLogs: report.lastLogs,
      },
      'runtime container crashed',
    );
    this.o.onCrash?.(report);
    this.schedule(entry);
  }

  private schedule(entry: ManagedContainer): void {
    const { policy } = this.o;
    if (this.o.isClosed() || entry.state !== 'crashed' || entry.halted.aborted) return;
    if (entry.attempts >= policy.maxAttempts) {
      entry.state = 'failed';
      this.o.emit(entry);
      this.o.log.error(
        { runtime: entry.name, attempts: entry.attempts },
        'runtime container keeps failing; gave up',
      );
      return;
    }
    const delay = Math.min(policy.maxMs, policy.initialMs * 2 ** entry.attempts);
    entry.attempts++;
    entry.recoverTimer = setTimeout(
      () => void this.o.serial.run(entry.name, () => this.recover(entry)),
      delay,
    );
  }

  private async recover(entry: ManagedContainer): Promise<void> {
    entry.recoverTimer = undefined;
    if (this.o.isClosed() || entry.state !== 'crashed' || entry.halted.aborted) return;
    try {
      if (!(await this.o.ops.exists(entry.container))) {
        // Removed behind our back: create it again when the spec is known.
        if (!entry.plan) throw new Error(`the container of ${entry.name} is gone and its spec is unknown`);
        entry.container = await this.o.ops.create(
          entry.plan,
          entry.port,
          await this.o.deviceRequests(entry.plan),
        );
      }
      await this.o.start(entry);
      if (entry.state !== 'crashed' || entry.halted.aborted) return;
      entry.restarts++;
      this.o.ready(entry);
      this.o.log.info(
        { runtime: entry.name, restarts: entry.restarts },
        'runtime container restarted after a crash',
      );
    } catch (err) {
      this.o.log.warn({ runtime: entry.name, err: dockerMessage(err) }, 'restart after a crash failed');
      this.schedule(entry);
    }
  }
}
