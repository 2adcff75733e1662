/**
 * Entry point of the llama.cpp worker process (bundled to agent/dist/llama-worker.js and forked by the embedded
 * runtime). Inference runs here, not in the agent, so that a llama.cpp abort (GGML_ASSERT) kills only this
 * process. Config arrives as argv[2] (JSON); requests and results travel over the IPC channel.
 */
import { LlamaEngine, EngineError } from './engine.js';
import type { ParentMessage, WorkerConfig, WorkerMessage } from './protocol.js';

/**
 * Streamed text is sent at once when idle, then coalesced for at most this long: fewer IPC messages (and fewer
 * wake-ups of the agent) while llama.cpp generates. The agent batches its output for 25 ms anyway.
 */
const TOKEN_FLUSH_MS = 20;

const send = (msg: WorkerMessage) => {
  if (process.connected) process.send?.(msg);
};

/** Sends the first chunk immediately, later ones in batches at most TOKEN_FLUSH_MS apart. */
class TokenStream {
  private buffered = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly id: number) {}

  push(text: string): void {
    if (this.timer) {
      this.buffered += text;
      return;
    }
    send({ type: 'tokens', id: this.id, text });
    this.timer = setTimeout(() => this.tick(), TOKEN_FLUSH_MS);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.buffered) {
      const text = this.buffered;
      this.buffered = '';
      this.push(text);
    }
  }

  end(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffered) send({ type: 'tokens', id: this.id, text: this.buffered });
    this.buffered = '';
  }
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const engine = new LlamaEngine(
  config,
  (model) => send({ type: 'loaded', model }),
  (gpu, devices) => send({ type: 'backend', gpu, devices }),
);
const inflight = new Map<number, AbortController>();

async function handle(msg: Exclude<ParentMessage, { type: 'abort' | 'shutdown' }>): Promise<void> {
  const controller = new AbortController();
  inflight.set(msg.id, controller);
  const stream = new TokenStream(msg.id);
  const hooks = { signal: controller.signal, onText: (t: string) => stream.push(t) };
  try {
    const result =
      msg.type === 'complete'
        ? await engine.complete(msg, hooks)
        : msg.type === 'chat'
          ? await engine.chat(msg, hooks)
          : await engine.embed(msg, controller.signal);
    stream.end();
    send({ type: 'result', id: msg.id, result });
  } catch (err) {
    stream.end();
    const code = err instanceof EngineError ? err.code : 'internal';
    send({ type: 'error', id: msg.id, code, message: err instanceof Error ? err.message : String(err) });
  } finally {
    inflight.delete(msg.id);
  }
}

process.on('message', (msg: ParentMessage) => {
  switch (msg.type) {
    case 'abort':
      inflight.get(msg.id)?.abort();
      break;
    case 'shutdown':
      for (const c of inflight.values()) c.abort();
      void engine.dispose().finally(() => process.exit(0));
      break;
    default:
      void handle(msg);
  }
});

// The agent went away: nothing left to serve.
process.on('disconnect', () => process.exit(0));
