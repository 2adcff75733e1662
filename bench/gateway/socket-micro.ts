// The mux framing over loopback TCP vs a Unix domain socket, without the gateway or the agent around it: is the
// socket worth changing? (`npm run bench:gateway -- --socket-micro`.)
//
// A server child process plays the agent's end (mux-session.ts): it decodes GENERATE frames with the project's
// FrameDecoder, parses the JSON request, answers with DONE (or 7 CHUNK frames and DONE when streaming) built
// with JSON.stringify and encodeFrame, writes corked until the end of the event-loop turn. This process plays the
// gateway's end (mux-client.ts): JSON.stringify + encodeFrame per request, the same corking, the decoder, a
// JSON.parse of the result and a promise per call. The server listens on both transports at once and the
// rounds alternate them, so both see the same machine. The frames are the sizes bench:gateway sends (the echo
// model's chat request and result).
//
// Modes: ping-pong (one request in flight: every frame is its own write and wake-up on both ends, the low-load
// case), pipelined (N in flight, closed loop: writes batch), open loop at a fixed rate (bench:gateway's regime:
// requests spread over 1 ms ticks). CPU per round trip is process.cpuUsage() (user + system, µs) of each end over
// the round divided by the round trips it completed: the kernel's socket work is the system part.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame, FrameDecoder, FrameType } from '@orchion/proto';
import { f } from '../lib/format';
import { sleep } from '../lib/process';

const WORDS = 'hello from the gateway benchmark, eight words';
const request = (stream: boolean): string =>
  JSON.stringify({
    kind: 'chat',
    model: 'echo',
    messages: [{ role: 'user', content: WORDS }],
    options: {},
    stream,
  });
const RESULT = {
  text: WORDS,
  stopReason: 'eogToken',
  promptTokens: 7,
  completionTokens: 7,
  durationMs: 0.041,
  runtime: 'echo',
};
const CHUNKS = WORDS.match(/\s*\S+/g)!.map((w) => JSON.stringify(w));

/** Writes frames corked until the end of the current event-loop turn (as both ends of the mux do). */
function corkedWriter(socket: Socket): (buf: Buffer) => void {
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  return (buf) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    socket.write(buf);
  };
}

// ---- the server child (the agent's end) ----

function serveConnection(socket: Socket): void {
  socket.setNoDelay(true);
  const write = corkedWriter(socket);
  const decoder = new FrameDecoder((type, id, payload) => {
    if (type !== FrameType.Generate) return;
    const body = JSON.parse(payload) as { stream?: boolean };
    // The real core answers after an await: a microtask later, in the same turn.
    queueMicrotask(() => {
      if (body.stream) for (const c of CHUNKS) write(encodeFrame(FrameType.Chunk, id, c));
      write(encodeFrame(FrameType.Done, id, JSON.stringify(RESULT)));
    });
  });
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  socket.on('error', () => socket.destroy());
}

export async function serveSocketMicro(path: string): Promise<void> {
  const server = createServer(serveConnection);
  const unix = createServer(serveConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => unix.listen(path, r));
  process.on('message', (m: string) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ cpu: u.user + u.system, sys: u.system });
    } else if (m === 'exit') {
      server.close();
      unix.close();
      process.disconnect();
    }
  });
  process.send!({ port: (server.address() as AddressInfo).port });
}

// ---- the client (the gateway's end) ----

class Client {
  private readonly write: (buf: Buffer) => void;
  private readonly waiting = new Map<number, () => void>();
  private next = 1;

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    this.write = corkedWriter(socket);
    const decoder = new FrameDecoder((type, id, payload) => {
      if (type === FrameType.Chunk) return;
      JSON.parse(payload);
      const done = this.waiting.get(id);
      this.waiting.delete(id);
      done?.();
    });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  }

  call(payload: string): Promise<void> {
    return new Promise((resolve) => {
      const id = this.next++;
      this.waiting.set(id, resolve);
      this.write(encodeFrame(FrameType.Generate, id, payload));
    });
  }
}

const connectTo = (opts: { port: number; host: string } | { path: string }): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = connect(opts as never, () => resolve(s));
    s.once('error', reject);
  });

type Mode = { name: string; stream: boolean } & (
  { kind: 'pingpong' } | { kind: 'pipelined'; inFlight: number } | { kind: 'rate'; rate: number }
);

interface Round {
  rts: number;
  clientUs: number;
  serverUs: number;
  /** Kernel (system) time of both ends, µs. */
  sysUs: number;
  /** Round-trip times in µs (ping-pong and rate modes). */
  rtt: number[];
}

function serverCpu(child: ChildProcess): Promise<{ cpu: number; sys: number }> {
  return new Promise((resolve) => {
    const on = (m: { cpu?: number; sys?: number }) => {
      if (m.cpu === undefined) return;
      child.off('message', on);
      resolve({ cpu: m.cpu, sys: m.sys ?? 0 });
    };
    child.on('message', on);
    child.send('cpu');
  });
}

async function round(client: Client, child: ChildProcess, mode: Mode, ms: number): Promise<Round> {
  const payload = request(mode.stream);
  const rtt: number[] = [];
  let rts = 0;
  const s0 = await serverCpu(child);
  const c0 = process.cpuUsage();
  const end = performance.now() + ms;
  if (mode.kind === 'pingpong' || mode.kind === 'pipelined') {
    const worker = async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await client.call(payload);
        if (mode.kind === 'pingpong') rtt.push((performance.now() - t) * 1000);
        rts++;
      }
    };
    await Promise.all(Array.from({ length: mode.kind === 'pipelined' ? mode.inFlight : 1 }, worker));
  } else {
    const pending: Promise<void>[] = [];
    const start = performance.now();
    let sent = 0;
    while (performance.now() < end) {
      const due = Math.floor(((performance.now() - start) / 1000) * mode.rate);
      while (sent < due) {
        sent++;
        const t = performance.now();
        pending.push(
          client.call(payload).then(() => {
            rtt.push((performance.now() - t) * 1000);
            rts++;
          }),
        );
      }
      await sleep(1);
    }
    await Promise.all(pending);
  }
  const c1 = process.cpuUsage(c0);
  const s1 = await serverCpu(child);
  return {
    rts,
    clientUs: c1.user + c1.system,
    serverUs: s1.cpu - s0.cpu,
    sysUs: c1.system + s1.sys - s0.sys,
    rtt,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Runs the comparison and prints a markdown table. `self` is the script to fork as the server. */
export async function runSocketMicro(
  self: string,
  opts: { roundMs: number; rounds: number; inFlight: number; rate: number },
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'orchion-bench-sock-'));
  const path = join(dir, 'mux.sock');
  const child = fork(self, ['--socket-micro-server', path], { stdio: 'inherit' });
  try {
    const port = await new Promise<number>((resolve) =>
      child.once('message', (m: { port: number }) => resolve(m.port)),
    );
    const clients = {
      tcp: new Client(await connectTo({ host: '127.0.0.1', port })),
      unix: new Client(await connectTo({ path })),
    };
    const modes: Mode[] = [
      { name: 'ping-pong', kind: 'pingpong', stream: false },
      { name: 'ping-pong, streamed (7 chunks)', kind: 'pingpong', stream: true },
      {
        name: `pipelined, ${opts.inFlight} in flight`,
        kind: 'pipelined',
        inFlight: opts.inFlight,
        stream: false,
      },
      { name: `open loop ${f(opts.rate)}/s`, kind: 'rate', rate: opts.rate, stream: false },
    ];
    console.log(
      `mux framing, loopback TCP vs Unix domain socket — ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `rounds of ${opts.roundMs} ms, ${opts.rounds} per transport and mode, alternating; medians\n`,
    );
    // Warm-up (JIT, socket buffers).
    for (const c of [clients.tcp, clients.unix, clients.tcp, clients.unix]) {
      await round(c, child, { name: 'warm', kind: 'pipelined', inFlight: 8, stream: true }, 300);
    }
    console.log(
      '| mode | transport | round trips/s | p50 RTT µs | client CPU µs/RT | server CPU µs/RT | both µs/RT | of which kernel | saved by unix |',
    );
    console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const mode of modes) {
      const acc = {
        tcp: {
          rps: [] as number[],
          rtt: [] as number[],
          c: [] as number[],
          s: [] as number[],
          k: [] as number[],
        },
        unix: {
          rps: [] as number[],
          rtt: [] as number[],
          c: [] as number[],
          s: [] as number[],
          k: [] as number[],
        },
      };
      for (let i = 0; i < opts.rounds; i++) {
        for (const name of i % 2 === 0 ? (['tcp', 'unix'] as const) : (['unix', 'tcp'] as const)) {
          const r = await round(clients[name], child, mode, opts.roundMs);
          const a = acc[name];
          a.rps.push((r.rts * 1000) / opts.roundMs);
          if (r.rtt.length > 0) a.rtt.push(median(r.rtt));
          a.c.push(r.clientUs / r.rts);
          a.s.push(r.serverUs / r.rts);
          a.k.push(r.sysUs / r.rts);
        }
      }
      const both = (a: typeof acc.tcp) => median(a.c.map((c, i) => c + a.s[i]!));
      for (const name of ['tcp', 'unix'] as const) {
        const a = acc[name];
        const saved =
          name === 'unix'
            ? `client ${f(100 * (1 - median(a.c) / median(acc.tcp.c)), 0)} %, server ${f(100 * (1 - median(a.s) / median(acc.tcp.s)), 0)} %, both ${f(100 * (1 - both(a) / both(acc.tcp)), 0)} %`
            : '';
        console.log(
          `| ${mode.name} | ${name} | ${f(median(a.rps))} | ${a.rtt.length ? f(median(a.rtt), 1) : '–'} | ${f(median(a.c), 1)} | ${f(median(a.s), 1)} | ${f(both(a), 1)} | ${f(median(a.k), 1)} | ${saved} |`,
        );
      }
    }
    clients.tcp.socket.destroy();
    clients.unix.socket.destroy();
  } finally {
    child.send('exit');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
