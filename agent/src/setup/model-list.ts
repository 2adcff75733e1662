/** The models of every runtime, in the wire shape of Hello.models and CapabilityUpdate.models. */
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

/** Lists every runtime's models; a runtime that cannot list them (an unreadable dir) is logged and skipped. */
export async function listAllModels(runtimes: Runtime[], logger: Logger): Promise<WireModelInfo[]> {
  const lists = await Promise.all(
    runtimes.map(async (r) => {
      try {
        return (await r.listModels()).map(toWireModel);
      } catch (err) {
        logger.warn({ err, runtime: r.name }, 'could not list models');
        return [];
      }
    }),
  );
  return lists.flat();
}
