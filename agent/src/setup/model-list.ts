/**
 * The models of every runtime, in the wire shape of Hello.models and CapabilityUpdate.models. A runtime that
 * cannot list them (an external server that is down, an unreadable models dir) is left out with one warning,
 * and announced again when it answers: the agent keeps running, and the models appear at the next refresh.
 * A listing that hangs is cut short so that it cannot hold up a hello.
 */
import type { ModelInfo as WireModelInfo } from '@orchion/proto';
import type { Logger } from 'pino';
import type { ModelInfo, Runtime } from '../runtimes/types.js';

export function toWireModel(m: ModelInfo): WireModelInfo {
  return {
    name: m.name,
    runtime: m.runtime,
    sizeBytes: m.sizeBytes ?? 0,
    architecture: m.architecture ?? '',
    contextLength: m.contextLength ?? 0,
    embeddingLength: m.embeddingLength ?? 0,
    loaded: m.loaded,
    error: m.error ?? '',
  };
}

/** How long one runtime's listing may take before it is left out of this round. */
export const LIST_TIMEOUT_MS = 5_000;

export class ModelLister {
  /** Runtimes whose last listing failed, with why. */
  private readonly unavailable = new Map<string, string>();
  /** A listing still running (a slow server is not asked again until it answers). */
  private readonly pending = new Map<Runtime, Promise<ModelInfo[]>>();

  constructor(
    private readonly runtimes: readonly Runtime[],
    private readonly logger: Logger,
    private readonly timeoutMs = LIST_TIMEOUT_MS,
  ) {}

  async list(): Promise<WireModelInfo[]> {
    const lists = await Promise.all(this.runtimes.map((r) => this.listOne(r)));
    return lists.flat();
  }

  /** The runtimes left out of the last listing, with the reason. */
  get down(): ReadonlyMap<string, string> {
    return this.unavailable;
  }

  private async listOne(r: Runtime): Promise<WireModelInfo[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const models = await Promise.race([
        this.listing(r),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
      if (this.unavailable.delete(r.name)) {
        this.logger.info({ runtime: r.name, models: models.length }, `runtime ${r.name} answers again`);
      }
      return models.map(toWireModel);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (!this.unavailable.has(r.name)) {
        this.logger.warn(
          { runtime: r.name, reason },
          `runtime ${r.name} cannot list its models; they are left out until it answers`,
        );
      }
      this.unavailable.set(r.name, reason);
      return [];
    } finally {
      clearTimeout(timer);
    }
  }

  private listing(r: Runtime): Promise<ModelInfo[]> {
    let p = this.pending.get(r);
    if (!p) {
      p = r.listModels().finally(() => this.pending.delete(r));
      p.catch(() => {});
      this.pending.set(r, p);
    }
    return p;
  }
}
