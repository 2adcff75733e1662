// Attempt ids: UUIDs of version 7 (RFC 9562), which sort in the order they were made. Their rows then go in at
// the right-hand end of the attempts' primary-key index, one leaf page for a whole commit, instead of a random
// leaf each (a random version 4 UUID wrote about one page of that index per attempt: docs/benchmarks.md).
// Layout: 48 bits of Unix milliseconds, the version, a 12-bit counter within the millisecond (RFC 9562's method
// 1, so that ids made in one millisecond sort too), the variant and 62 random bits.
import { randomFillSync } from 'node:crypto';

/** Random bytes drawn in bulk: 8 per id. */
const pool = Buffer.alloc(8 * 512);
let poolAt = pool.length;
let lastMs = 0;
let counter = 0;
const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A new version 7 UUID, greater than every one this process made before (whatever the clock does). */
export function timeOrderedId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    // 4,096 ids in one millisecond, or the clock went back: borrow the next millisecond.
    lastMs++;
    counter = 0;
  }
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = new Uint8Array(16);
  let ms = lastMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (pool[poolAt]! & 0x3f);
  for (let i = 9; i < 16; i++) b[i] = pool[poolAt + i - 8]!;
  poolAt += 8;
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += hex[b[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}
