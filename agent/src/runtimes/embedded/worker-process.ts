/**
 * The parent's handle on one llama.cpp worker process: forks it, matches replies to requests, and when the
 * process dies (a GGML abort, SIGKILL, OOM...) fails every in-flight request with 'runtime-crashed', quoting
 * the end of the worker's stderr. A dead worker is never reused; the runtime forks a new one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { RuntimeError } from '../errors.js';
import type {
  ParentMessage,
  WorkerBackendInfo,
  WorkerConfig,
  WorkerEmbedResult,
  WorkerGenerateResult,
  WorkerMessage,
} from './protocol.js';

/** Enough for the error line before a native backtrace (a CUDA abort prints ~20 frames after it). */
const STDERR_TAIL_BYTES = 8192;

interface Pending {
  resolve: (r: WorkerGenerateResult | WorkerEmbedResult) => void;
  reject: (e: RuntimeError) => void;
  onText?: (text: string) => void;
}

export type WorkerRequest = Exclude<ParentMessage, { type: 'abort' | 'shutdown' }>;
export type WorkerRequestBody = WorkerRequest extends infer M
  ? M extends WorkerRequest
    ? Omit<M, 'id'>
    : never
  : never;

/** A native backtrace frame (`lib.so(+0x1c8eb)[0x7f…]`): never the line that says what went wrong. */
const BACKTRACE_FRAME = /\(\S*\+0x[0-9a-f]+\)|\[0x[0-9a-f]+\]$/i;
const TELLING = /error|assert|abort|fail|fault|out of memory/i;

/** The line of a crashed worker's output that says what went wrong (e.g. a CUDA error), if one does. */
export function tellingLine(output: string): string | undefined {
  const lines = output.split('\n').map((l) => l.trim());
  return lines.reverse().find((l) => TELLING.test(l) && !BACKTRACE_FRAME.test(l));
}

export class WorkerProcess {
  readonly loaded = new Set<string>();
  /** The backend llama.cpp picked in this worker, once it has initialised. */
  backend: WorkerBackendInfo | undefined;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private exitInfo: string | undefined;
  private stopping = false;
  readonly exited: Promise<void>;

  constructor(
    workerPath: string,
    config: WorkerConfig,
    onLog?: (line: string) => void,
    private readonly onBackend?: (backend: WorkerBackendInfo) => void,
  ) {
    this.child = fork(workerPath, [JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
      serialization: 'json',
    });
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => onLog?.(d));
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-STDERR_TAIL_BYTES);
      onLog?.(d);
    });
    // Output pipes never keep the agent alive; the child and its channel are ref'd only while busy.
    for (const pipe of [this.child.stdout, this.child.stderr])
      (pipe as { unref?: () => void } | null)?.unref?.();
    this.child.on('message', (m: WorkerMessage) => this.onMessage(m));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.onExit(signal ? `killed by ${signal}` : `exit code ${code}`);
        resolve();
      });
      this.child.once('error', (err) => {
        // spawn failure: 'exit' may not follow
        this.onExit(`failed: ${err.message}`);
        resolve();
      });
    });
    this.setRef(false);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Sends a request; resolves with the worker's result, rejects with a RuntimeError. */
  request(
    body: WorkerRequestBody,
    onText?: (text: string) => void,
  ): { id: number; done: Promise<WorkerGenerateResult | WorkerEmbedResult> } {
    const id = this.nextId++;
    const done = new Promise<WorkerGenerateResult | WorkerEmbedResult>((resolve, reject) => {
      if (!this.alive) {
        reject(this.crashError());
        return;
      }
      this.pending.set(id, { resolve, reject, onText });
      this.setRef(true);
      this.send({ ...body, id } as WorkerRequest);
    });
    return { id, done };
  }

  abort(id: number): void {
    if (this.pending.has(id)) this.send({ type: 'abort', id });
  }

  /** Forgets a request whose caller stopped waiting (late replies are dropped). */
  forget(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.setRef(false);
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Asks the worker to exit, and kills it if it has not within `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.alive) return;
    this.stopping = true;
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private send(msg: ParentMessage): void {
    if (!this.child.connected) return;
    this.child.send(msg, (err) => {
      if (err && this.alive) this.child.kill('SIGKILL'); // a broken channel: treat as a crash
    });
  }

  /** The end of the worker's stderr (llama.cpp's messages before a crash). */
  get output(): string {
    return this.stderrTail;
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type === 'backend') {
      this.backend = { gpu: m.gpu, devices: m.devices };
      this.onBackend?.(this.backend);
      return;
    }
    if (m.type === 'loaded') {
      this.loaded.add(m.model);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'tokens') {
      p.onText?.(m.text);
      return;
    }
    this.forget(m.id);
    if (m.type === 'result') p.resolve(m.result);
    else p.reject(new RuntimeError(m.code, m.message));
  }

  private onExit(info: string): void {
    if (this.exitInfo !== undefined) return;
    this.exitInfo = info;
    this.loaded.clear();
    const err = this.crashError();
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private crashError(): RuntimeError {
    if (this.stopping) return new RuntimeError('closed', 'the llama worker was stopped');
    const tail = this.stderrTail
      .trim()
      .split('\n')
      .filter((l) => !BACKTRACE_FRAME.test(l.trim()))
      .slice(-5)
      .join('\n');
    const cause = tellingLine(this.stderrTail);
    return new RuntimeError(
      'runtime-crashed',
      `llama worker (pid ${this.child.pid}) died: ${this.exitInfo}${cause ? ` (${cause})` : ''}` +
        (tail ? `; last output:\n${tail}` : ''),
    );
  }

  /** An idle worker must not keep the agent's event loop alive. */
  private setRef(ref: boolean): void {
    const channel = this.child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    if (ref) {
      this.child.ref();
      channel?.ref?.();
    } else {
      this.child.unref();
      channel?.unref?.();
    }
  }
}
