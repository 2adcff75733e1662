/** What every route module gets: the runtime host and where models live. */
import type { RuntimeHost } from './host.js';

export interface ServerContext {
  host: RuntimeHost;
  /** The GGUF models directory, when the runtime serves one (file facts, pulls). */
  modelsDir?: string;
  /** A local directory that /api/pull copies `<name>.gguf` from. */
  pullFrom?: string;
  /** Bytes per pull progress step (default 1 MiB). */
  pullChunkBytes?: number;
}
