/**
 * The Docker calls on one managed container that the manager's parts share: create (replacing a leftover of this
 * node with the same name once), stop and remove tolerating "already", inspect into a run state, and whether a
 * named container is this node's.
 */
import type Docker from 'dockerode';
import { createOptions } from './create-options.js';
import { ContainerError, dockerMessage, statusCode } from './errors.js';
import type { ContainerRunState } from './health.js';
import { LABEL } from './labels.js';
import type { ContainerPlan } from './plan.js';

export class ContainerOps {
  constructor(
    private readonly docker: Docker,
    private readonly o: { nodeId: string; restartRetries: number; stopTimeoutSeconds: number },
  ) {}

  /** Creates the plan's container on `port`. */
  create(
    plan: ContainerPlan,
    port: number,
    deviceRequests?: Docker.DeviceRequest[],
  ): Promise<Docker.Container> {
    return this.createFrom(
      createOptions(plan, {
        nodeId: this.o.nodeId,
        port,
        ...(deviceRequests ? { deviceRequests } : {}),
        restartRetries: this.o.restartRetries,
      }),
    );
  }

  private async createFrom(options: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.docker.createContainer(options);
      } catch (err) {
        // A leftover of this node with the same name (e.g. not adopted): replace it once.
        if (statusCode(err) === 409 && attempt === 0 && options.name && (await this.isOurs(options.name))) {
          await this.remove(this.docker.getContainer(options.name));
          continue;
        }
        throw new ContainerError('start-failed', `cannot create ${options.name}: ${dockerMessage(err)}`, {
          cause: err,
        });
      }
    }
  }

  /** Starts it; already running is fine. */
  async start(container: Docker.Container, name: string): Promise<void> {
    try {
      await container.start();
    } catch (err) {
      if (statusCode(err) !== 304) {
        throw new ContainerError(
          'start-failed',
          `${name}: Docker could not start the container: ${dockerMessage(err)}`,
          { cause: err },
        );
      }
    }
  }

  /** Stops it; already stopped or gone is fine. */
  async stop(container: Docker.Container): Promise<void> {
    try {
      await container.stop({ t: this.o.stopTimeoutSeconds });
    } catch (err) {
      if (statusCode(err) !== 304 && statusCode(err) !== 404) throw err;
    }
  }

  /** Stops (errors ignored: removal settles it) and removes it. */
  async discard(container: Docker.Container): Promise<void> {
    await this.stop(container).catch(() => undefined);
    await this.remove(container);
  }

  async remove(container: Docker.Container): Promise<void> {
    try {
      await container.remove({ force: true });
    } catch (err) {
      if (statusCode(err) !== 404 && statusCode(err) !== 409) throw err; // 409: removal already in progress
    }
  }

  /** Whether it runs, else how it ended; a container that cannot be inspected counts as exited (-1). */
  async runState(container: Docker.Container): Promise<ContainerRunState> {
    try {
      const { State } = await container.inspect();
      if (State.Running && !State.Restarting) return { running: true };
      return {
        running: false,
        restarting: State.Restarting,
        exitCode: State.ExitCode,
        oomKilled: State.OOMKilled,
      };
    } catch {
      return { running: false, restarting: false, exitCode: -1, oomKilled: false };
    }
  }

  /** True when it exists (false when the engine says 404). */
  async exists(container: Docker.Container): Promise<boolean> {
    try {
      await container.inspect();
      return true;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      throw err;
    }
  }

  async isOurs(name: string): Promise<boolean> {
    try {
      const info = await this.docker.getContainer(name).inspect();
      const labels = info.Config.Labels ?? {};
      return labels[LABEL.managed] === 'true' && labels[LABEL.node] === this.o.nodeId;
    } catch {
      return false;
    }
  }
}
