/**
 * The agent's runtimes and their defaults. The embedded runtime (llama.cpp) serves the GGUF files of the models
 * dir (`<dataDir>/models` by default; a model's name is its file stem); the echo runtime is a deterministic
 * test and benchmark runtime with one model, `echo`.
 *
 * Defaults, chosen for the small CPU-only machines the agent must run well on:
 * - slots: 1 when the embedded runtime is on (it runs one model's requests one at a time, so a second slot
 *   would only queue, with its timeout running); 32 with echo alone. `--slots` raises it, e.g. for several
 *   models or a GPU that serves a model faster than one stream consumes.
 * - threads: 1 on machines with up to 2 logical cores (2 threads there fell from ~2,000 to ~15 tok/s), else
 *   half the logical cores (roughly the physical cores, leaving room for the agent itself).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ensureDefaultModel } from '../models/catalog.js';
import { EchoRuntime } from '../runtimes/echo.js';
import { EmbeddedRuntime, type WorkerConfig } from '../runtimes/embedded/index.js';
import type { Runtime } from '../runtimes/types.js';

export const RUNTIME_NAMES = ['embedded', 'echo'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

export interface RuntimeSetupOptions {
  dataDir: string;
  /** Default `<dataDir>/models`. */
  modelsDir?: string;
  /** Default ['embedded']. */
  runtimes?: RuntimeName[];
  slots?: number;
  /** llama.cpp CPU threads. */
  threads?: number;
  gpu?: WorkerConfig['gpu'];
  /** The echo runtime's delay per token (tests and benchmarks of long-running steps). */
  echoTokenDelayMs?: number;
  /** The embedded runtime's worker script (tests); default agent/dist/llama-worker.js. */
  workerPath?: string;
  logger: Logger;
}

export interface RuntimeSetup {
  runtimes: Runtime[];
  names: RuntimeName[];
  slots: number;
  threads: number;
  modelsDir: string;
  /** Writes the tiny smoke-test model when the embedded runtime is on and the models dir has no model. */
  prepare(): Promise<void>;
  close(): Promise<void>;
}

export function defaultSlots(runtimes: readonly RuntimeName[]): number {
  return runtimes.includes('embedded') ? 1 : 32;
}

export function defaultThreads(cpus = availableParallelism()): number {
  return cpus <= 2 ? 1 : Math.max(1, Math.floor(cpus / 2));
}

export function setupRuntimes(o: RuntimeSetupOptions): RuntimeSetup {
  const names = [...new Set(o.runtimes?.length ? o.runtimes : (['embedded'] as RuntimeName[]))];
  for (const n of names) {
    if (!RUNTIME_NAMES.includes(n)) {
      throw new Error(`unknown runtime ${JSON.stringify(n)} (known: ${RUNTIME_NAMES.join(', ')})`);
    }
  }
  const modelsDir = o.modelsDir ?? join(o.dataDir, 'models');
  const threads = o.threads ?? defaultThreads();
  const slots = o.slots ?? defaultSlots(names);
  if (!Number.isInteger(slots) || slots < 1) throw new Error('slots must be a positive integer');
  if (!Number.isInteger(threads) || threads < 1) throw new Error('threads must be a positive integer');
  const log = o.logger;
  const runtimes: Runtime[] = names.map((name) =>
    name === 'echo'
      ? new EchoRuntime({ tokenDelayMs: o.echoTokenDelayMs })
      : new EmbeddedRuntime({
          modelsDir,
          threads,
          gpu: o.gpu ?? 'auto',
          workerPath: o.workerPath,
          onLog: (text) => log.info({ runtime: 'embedded' }, text.trim()),
        }),
  );
  return {
    runtimes,
    names,
    slots,
    threads,
    modelsDir,
    async prepare() {
      if (!names.includes('embedded')) return;
      try {
        const written = await ensureDefaultModel(modelsDir);
        if (written) {
          log.warn(
            { path: written },
            `no model in ${modelsDir}: wrote orchion-tiny.gguf, a TINY RANDOM-WEIGHT model that produces ` +
              'gibberish, for smoke tests only. Put real GGUF files in that directory (a model is named ' +
              'after its file stem, e.g. qwen2.5-0.5b-instruct.gguf → qwen2.5-0.5b-instruct).',
          );
        }
      } catch (err) {
        log.error({ err, modelsDir }, 'could not prepare the models directory');
      }
    },
    async close() {
      await Promise.allSettled(runtimes.map((r) => r.close()));
    },
  };
}
