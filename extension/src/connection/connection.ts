// The link to one orchestrator: the API client (token from SecretStorage), the shared event stream, and the
// connection state every view, the status bar and the dashboard follow.
import { ApiClientError, OrchionClient } from '@orchion/api';
import * as vscode from 'vscode';
import type { Logger } from '../util/logger';
import { EventStream } from './event-stream';
import { isLoopbackUrl, readLocalToken } from './local-token';
import { normalizeUrl, readSettings, saveUrl } from './settings';
import { TokenStore } from './token-store';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

export class Connection implements vscode.Disposable {
  private _state: ConnectionState = 'disconnected';
  private _client: OrchionClient | undefined;
  private token: string | undefined;
  private readonly tokens: TokenStore;
  private readonly changed = new vscode.EventEmitter<ConnectionState>();
  /** Fires on every state change (and on a reconnect to another URL). */
  readonly onDidChange = this.changed.event;
  /** One stream of orchestrator events shared by everything in the extension. */
  readonly events: EventStream;

  constructor(
    secrets: vscode.SecretStorage,
    private readonly log: Logger,
  ) {
    this.tokens = new TokenStore(secrets);
    this.events = new EventStream({ log: (level, message) => log.log(level, message) });
    this.events.onState((state, error) => log.debug(`event stream ${state}${error ? `: ${error}` : ''}`));
    void vscode.commands.executeCommand('setContext', 'orchion.connected', false);
  }

  get state(): ConnectionState {
    return this._state;
  }

  get url(): string | undefined {
    return this._client?.url;
  }

  /** The API client; throws a clear error while not connected. */
  get client(): OrchionClient {
    if (!this._client || this._state !== 'connected') {
      throw new ApiClientError('not_connected', 'not connected to an orchestrator');
    }
    return this._client;
  }

  /** URL and token for code that talks HTTP itself (the dashboard bridge). */
  endpoint(): { url: string; token: string } | undefined {
    return this._state === 'connected' && this._client && this.token
      ? { url: this._client.url, token: this.token }
      : undefined;
  }

  /**
   * Connects to `url` with `token`: checks both with one authenticated request, then stores the token in
   * SecretStorage, saves the URL setting and starts the event stream. Throws ApiClientError on failure (and
   * stays disconnected).
   */
  async connect(url: string, token: string): Promise<void> {
    const target = normalizeUrl(url);
    // Requests made for the views and commands time out (the `orchion.requestTimeout` setting); streams don't.
    const client = new OrchionClient({ url: target, token, timeoutMs: readSettings().requestTimeoutMs });
    this.setState('connecting');
    try {
      await client.listNodes({ limit: 1 });
    } catch (err) {
      this.setState(this._client ? 'connected' : 'disconnected');
      throw err;
    }
    await this.events.stop();
    this._client = client;
    this.token = token;
    await this.tokens.set(target, token);
    await saveUrl(target);
    this.events.start(client); // its streamEvents says when the server answered (onOpen)
    this.log.info(`connected to ${target}`);
    this.setState('connected', true);
  }

  /**
   * Connects with what is known without asking: the stored token for the configured URL, else a local
   * cluster's admin.token when the URL is on this machine. Returns whether it connected.
   */
  async restore(): Promise<boolean> {
    const { url } = readSettings();
    const token = (await this.tokens.get(url)) ?? (isLoopbackUrl(url) ? await readLocalToken() : undefined);
    if (!token) {
      this.log.info(`not connected: no token stored for ${url} (run "Orchion: Connect to Orchestrator…")`);
      return false;
    }
    try {
      await this.connect(url, token);
      return true;
    } catch (err) {
      this.log.warn(`could not connect to ${url}: ${(err as Error).message}`);
      return false;
    }
  }

  /** The stored token for a URL (to prefill the connect command). */
  storedToken(url: string): Thenable<string | undefined> {
    return this.tokens.get(url);
  }

  async disconnect(): Promise<void> {
    await this.events.stop();
    this._client = undefined;
    this.token = undefined;
    this.setState('disconnected');
  }

  private setState(state: ConnectionState, force = false): void {
    if (state === this._state && !force) return;
    this._state = state;
    void vscode.commands.executeCommand('setContext', 'orchion.connected', state === 'connected');
    this.changed.fire(state);
  }

  dispose(): void {
    void this.events.stop();
    this.changed.dispose();
  }
}
