// The Transport inside a VS Code webview: every call is a message to the extension, which holds the token and
// talks to the orchestrator (see ../protocol.ts).
import { isHostMessage, type HostToWebview, type HttpMethod, type WebviewToHost } from '../protocol';
import type { ApiResponse, ConnectionState, StreamHandlers, Transport } from './transport';

export interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
}

export class VsCodeTransport implements Transport {
  readonly kind = 'vscode';
  private nextId = 1;
  private readonly pending = new Map<number, (res: ApiResponse) => void>();
  private readonly streams = new Map<number, StreamHandlers>();
  /**
   * Subscriptions not yet known to be open. The protocol has no "opened" message: a stream counts as open at its
   * first frame, or once the host answered a later request without having ended it (the host handles messages in
   * order and ends a failed subscription with `stream-error`), so a quiet stream does not look stuck.
   */
  private readonly opening = new Set<number>();
  private readonly connectionListeners = new Set<(s: ConnectionState, url?: string) => void>();
  private connection: ConnectionState = 'disconnected';
  private url: string | undefined;
  /** Until the host says otherwise, an answer from it means the link works. */
  private toldByHost = false;

  constructor(
    private readonly api: VsCodeApi,
    /** Where host messages arrive (the window). */
    source: { addEventListener(type: 'message', fn: (e: { data: unknown }) => void): void },
    private readonly timeoutMs = 30_000,
  ) {
    source.addEventListener('message', (e) => {
      if (isHostMessage(e.data)) this.receive(e.data);
    });
    this.api.postMessage({ type: 'ready' });
  }

  receive(msg: HostToWebview): void {
    switch (msg.type) {
      case 'response': {
        const done = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        done?.({ status: msg.status, body: msg.body });
        if (msg.status > 0) {
          this.inferConnected();
          for (const sid of [...this.opening]) if (sid < msg.id) this.markOpen(sid);
        }
        break;
      }
      case 'event': {
        const h = this.streams.get(msg.id);
        this.opening.delete(msg.id);
        h?.frame({ event: msg.event, data: msg.data, lastEventId: msg.lastEventId });
        this.inferConnected();
        break;
      }
      case 'stream-error': {
        const h = this.streams.get(msg.id);
        this.streams.delete(msg.id);
        this.opening.delete(msg.id);
        h?.closed(msg.message);
        break;
      }
      case 'connection':
        this.toldByHost = true;
        this.setConnection(msg.state, msg.url);
        break;
    }
  }

  private markOpen(id: number): void {
    this.opening.delete(id);
    this.streams.get(id)?.opened?.();
  }

  private inferConnected(): void {
    if (!this.toldByHost && this.connection !== 'connected') this.setConnection('connected', this.url);
  }

  private setConnection(state: ConnectionState, url: string | undefined): void {
    this.connection = state;
    this.url = url;
    for (const l of this.connectionListeners) l(state, url);
  }

  request(method: HttpMethod, path: string, body?: unknown): Promise<ApiResponse> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        resolve({
          status: 0,
          body: { error: { code: 'timeout', message: `no answer from VS Code for ${path}` } },
        });
      }, this.timeoutMs);
      this.pending.set(id, (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      this.api.postMessage({ type: 'request', id, method, path, ...(body === undefined ? {} : { body }) });
    });
  }

  subscribe(path: string, handlers: StreamHandlers): () => void {
    const id = this.nextId++;
    this.streams.set(id, handlers);
    this.opening.add(id);
    this.api.postMessage({ type: 'subscribe', id, path });
    return () => {
      this.opening.delete(id);
      if (this.streams.delete(id)) this.api.postMessage({ type: 'unsubscribe', id });
    };
  }

  command(command: string, args?: unknown[]): void {
    this.api.postMessage({ type: 'command', command, ...(args ? { args } : {}) });
  }

  onConnection(listener: (state: ConnectionState, url?: string) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.connection, this.url);
    return () => this.connectionListeners.delete(listener);
  }
}
