/**
 * Container logs: followed (demultiplexed stdout/stderr, one callback per line) and the last lines for error
 * messages. Containers run without a TTY, so the engine multiplexes both streams in 8-byte-header frames.
 */
import { Writable, type Readable } from 'node:stream';
import type Docker from 'dockerode';

export type LogStream = 'stdout' | 'stderr';

export interface LogFollower {
  stop(): void;
  /** Resolves when the stream ends: the container stopped, the engine went away, or stop(). */
  readonly ended: Promise<void>;
}

export interface FollowOptions {
  /** Only lines after this Docker timestamp ('seconds.nanoseconds'); see `LogCursor`. */
  since?: string;
  onLine(stream: LogStream, text: string): void;
  /** Where the next follower should start so that no line repeats (updated as lines arrive). */
  cursor?: LogCursor;
}

/** The timestamp of the last line delivered, so a follower started after a restart neither repeats nor skips lines. */
export class LogCursor {
  private lastNs = -1n;

  constructor(startSeconds?: number) {
    if (startSeconds !== undefined) this.lastNs = BigInt(Math.floor(startSeconds)) * 1_000_000_000n - 1n;
  }

  /** Docker's `since` for the next follower. */
  get since(): string | undefined {
    if (this.lastNs < 0n) return undefined;
    const s = this.lastNs / 1_000_000_000n;
    return `${s}.${String(this.lastNs % 1_000_000_000n).padStart(9, '0')}`;
  }

  /** True if a line with this RFC 3339 timestamp is new (and records it). */
  advance(rfc3339: string): boolean {
    const ns = parseTimestamp(rfc3339);
    if (ns === undefined) return true;
    if (ns <= this.lastNs) return false;
    this.lastNs = ns;
    return true;
  }
}

function parseTimestamp(ts: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(ts);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}Z`) / 1000;
  return BigInt(seconds) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export function followLogs(container: Docker.Container, o: FollowOptions): LogFollower {
  let stopped = false;
  let source: Readable | undefined;
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const sink = (stream: LogStream) =>
    lineWriter((line) => {
      const space = line.indexOf(' ');
      const ts = space > 0 ? line.slice(0, space) : '';
      if (o.cursor && !o.cursor.advance(ts)) return;
      o.onLine(stream, space > 0 ? line.slice(space + 1) : line);
    });
  container
    .logs({
      follow: true,
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(o.since ? { since: o.since } : {}),
    })
    .then(
      (stream) => {
        source = stream as Readable;
        if (stopped) return void source.destroy();
        const out = sink('stdout');
        const err = sink('stderr');
        container.modem.demuxStream(source, out, err);
        const finish = () => {
          out.end();
          err.end();
          end();
        };
        source.once('end', finish);
        source.once('close', finish);
        source.once('error', finish);
      },
      () => end(),
    );
  return {
    stop() {
      stopped = true;
      source?.destroy();
      end();
    },
    ended,
  };
}

/** A Writable that calls `onLine` per complete line, and with the rest at the end. */
function lineWriter(onLine: (line: string) => void): Writable {
  let rest = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) onLine(line.replace(/\r$/, ''));
      done();
    },
    final(done) {
      if (rest) onLine(rest);
      rest = '';
      done();
    },
  });
}

/** The container's last `n` log lines (stdout and stderr interleaved as written), for error messages. */
export async function readLogTail(container: Docker.Container, n: number): Promise<string[]> {
  try {
    const buf = await container.logs({ follow: false, stdout: true, stderr: true, tail: n });
    return demuxFrames(buf)
      .split('\n')
      .map((l) => l.replace(/\r$/, ''))
      .filter((l, i, all) => l !== '' || i < all.length - 1)
      .slice(-n);
  } catch {
    return [];
  }
}

/** Decodes multiplexed frames ([stream, 0, 0, 0, size32be] + payload); raw text is returned as it is. */
export function demuxFrames(buf: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const kind = buf[at]!;
    if (kind > 2 || buf[at + 1] !== 0 || buf[at + 2] !== 0 || buf[at + 3] !== 0) return buf.toString('utf8');
    const size = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

export const formatTail = (lines: string[]): string =>
  lines.length
    ? `\n--- last ${lines.length} log line(s) ---\n${lines.join('\n')}`
    : '\n(the container wrote no log)';
