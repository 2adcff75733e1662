// The host side of the dashboard's message protocol (pure: no vscode). The webview never reaches the API
// itself: `request` and `subscribe` messages are proxied here with the stored token, answers posted back.
import { OrchionClient } from '@orchion/api';
import type { HostToWebview, WebviewToHost } from '../../../webview-ui/src/protocol';

export interface BridgeTarget {
  /** The orchestrator's URL and token, or undefined while not connected. */
  endpoint(): { url: string; token: string } | undefined;
  post(message: HostToWebview): void;
  /** Runs a VS Code command the dashboard asked for. */
  command(command: string, args: unknown[]): void;
  log?(level: 'debug' | 'warn', message: string): void;
}

/** Commands the dashboard may run (it is a web page: it gets no general access to commands). */
export const DASHBOARD_COMMANDS: ReadonlySet<string> = new Set([
  'orchion.revealStep',
  'orchion.showJobLogs',
  'orchion.cancelJob',
  'orchion.rerunJob',
  'orchion.copyJobId',
  'orchion.submitPipeline',
  'orchion.connect',
  'orchion.refresh',
]);

const ALLOWED_PATH = /^\/(api\/v1\/|healthz$|v1\/)/;

export class DashboardBridge {
  private readonly streams = new Map<number, AbortController>();

  constructor(
    private readonly target: BridgeTarget,
    private readonly timeoutMs = 15_000,
  ) {}

  /** Handles one message from the webview (unknown messages are ignored). */
  async handle(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        // A (re)loaded page: streams of the previous page have no reader any more.
        this.dispose();
        this.announce();
        return;
      case 'request':
        return this.request(message.id, message.method, message.path, message.body);
      case 'subscribe':
        return this.subscribe(message.id, message.path);
      case 'unsubscribe':
        this.streams.get(message.id)?.abort();
        this.streams.delete(message.id);
        return;
      case 'command':
        if (DASHBOARD_COMMANDS.has(message.command)) this.target.command(message.command, message.args ?? []);
        else this.target.log?.('warn', `dashboard asked for command ${message.command}: not allowed`);
        return;
    }
  }

  /** Tells the webview whether the host is connected (call on every connection change). */
  announce(): void {
    const endpoint = this.target.endpoint();
    this.target.post(
      endpoint
        ? { type: 'connection', state: 'connected', url: endpoint.url }
        : { type: 'connection', state: 'disconnected' },
    );
  }

  /**
   * The connection changed: every open stream ends with a `stream-error` (so the page subscribes again, now
   * through the new connection), then the page hears the new state.
   */
  reconnected(): void {
    const ids = [...this.streams.keys()];
    this.dispose();
    for (const id of ids) this.target.post({ type: 'stream-error', id, message: 'the connection changed' });
    this.announce();
  }

  /** Ends every open stream silently (the panel closed, or the page reloaded). */
  dispose(): void {
    for (const c of this.streams.values()) c.abort();
    this.streams.clear();
  }

  private async request(id: number, method: string, path: string, body: unknown): Promise<void> {
    const endpoint = this.target.endpoint();
    const fail = (status: number, code: string, message: string): void =>
      this.target.post({ type: 'response', id, status, body: { error: { code, message } } });
    if (!endpoint) return fail(503, 'not_connected', 'VS Code is not connected to an orchestrator');
    if (!ALLOWED_PATH.test(path)) return fail(400, 'bad_request', `path not allowed: ${path}`);
    try {
      const res = await fetch(endpoint.url + path, {
        method,
        headers: {
          authorization: `Bearer ${endpoint.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: passed on as text
      }
      this.target.post({ type: 'response', id, status: res.status, body: parsed });
    } catch (err) {
      const why = (err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message;
      fail(502, 'unreachable', `cannot reach the orchestrator at ${endpoint.url} (${why})`);
    }
  }

  private async subscribe(id: number, path: string): Promise<void> {
    const endpoint = this.target.endpoint();
    const streamError = (message: string): void => this.target.post({ type: 'stream-error', id, message });
    if (!endpoint) return streamError('VS Code is not connected to an orchestrator');
    if (!ALLOWED_PATH.test(path)) return streamError(`path not allowed: ${path}`);
    this.streams.get(id)?.abort();
    const controller = new AbortController();
    this.streams.set(id, controller);
    try {
      await new OrchionClient({ url: endpoint.url, token: endpoint.token }).streamSse(
        path,
        (frame) => {
          if (controller.signal.aborted) return;
          this.target.post({
            type: 'event',
            id,
            event: frame.event ?? 'message',
            data: frame.data,
            ...(frame.id !== undefined ? { lastEventId: frame.id } : {}),
          });
        },
        { signal: controller.signal },
      );
      if (!controller.signal.aborted) streamError('the server ended the stream');
    } catch (err) {
      if (!controller.signal.aborted) streamError((err as Error).message);
    } finally {
      if (this.streams.get(id) === controller) this.streams.delete(id);
    }
  }
}
