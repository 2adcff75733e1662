/**
 * Garbage collection between messages. Analysing a large document allocates megabytes (about 9 MB for a
 * 5,000-line pipeline); when V8's young generation fills up in the middle of a request, that request pauses
 * while V8 copies what is still live (5–15 ms per collection for such a document, measured in the server). After
 * an analysis, once the messages already received are handled, the server collects the young generation itself
 * when it is well filled, so the next request starts with room and seldom pauses. The work is the same; it moves
 * to a moment when nobody waits.
 *
 * The collector is V8's `gc` function, obtained the way Jest's leak detector does: `--expose-gc` set at run time,
 * `gc` taken from a new context, the flag reset. Where that is unavailable, nothing is collected.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'minor' | 'major' }) => void;

/** Below this much allocated in the young generation, a collection would gain little. */
const DEFAULT_MIN_YOUNG_BYTES = 4 * 1024 * 1024;

export class IdleCollector {
  private scheduled = false;
  private readonly gc: Gc | undefined;
  /** Young-generation collections made (for tests and diagnostics). */
  collections = 0;

  constructor(private readonly minYoungBytes = DEFAULT_MIN_YOUNG_BYTES) {
    this.gc = exposeGc();
  }

  get available(): boolean {
    return this.gc !== undefined;
  }

  /** Collects the young generation after the messages already received, if it holds enough. */
  schedule(): void {
    if (this.gc === undefined || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (youngBytesUsed() < this.minYoungBytes) return;
      this.gc!({ type: 'minor' });
      this.collections++;
    });
  }
}

/** Bytes in use in V8's young generation (its new space). */
export function youngBytesUsed(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;
}

function exposeGc(): Gc | undefined {
  const global = globalThis as { gc?: unknown };
  if (typeof global.gc === 'function') return global.gc as Gc; // node --expose-gc
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Gc) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
