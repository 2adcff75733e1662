// The Nodes view: loads the node list when connected, then follows `node.*` events from the shared stream.
import type { OrchionEvent } from '@orchion/api';
import * as vscode from 'vscode';
import type { Connection } from '../connection/connection';
import type { Logger } from '../util/logger';
import { NodesModel } from './nodes-model';
import { RowTree } from './row-tree';
import { loadingRow, type Row } from './rows';

export class NodesView implements vscode.Disposable {
  readonly model = new NodesModel();
  readonly tree: RowTree;
  private loading: Promise<void> | undefined;
  /** Events that arrive while the list loads are applied after it. */
  private buffered: OrchionEvent[] | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the model changed (the status bar follows it). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly log: Logger,
  ) {
    this.tree = new RowTree('orchion.nodes', { roots: () => this.roots() });
    const offEvents = connection.events.onEvent((e) => this.onEvent(e));
    this.disposables.push(
      this.tree,
      this.changed,
      { dispose: offEvents },
      connection.onDidChange((state) => {
        if (state === 'connected') void this.reload();
        if (state === 'disconnected') {
          this.model.clear();
          this.update();
        }
      }),
    );
  }

  private roots(): Row[] {
    if (this.connection.state !== 'connected') return [];
    if (!this.model.loaded && this.model.error === undefined) {
      void this.reload();
      return [loadingRow('nodes-loading')];
    }
    return this.model.rows();
  }

  /** Reloads the whole list (on connect, refresh, or a `reset` from the stream). */
  reload(): Promise<void> {
    if (this.loading) return this.loading;
    this.buffered = [];
    this.loading = (async () => {
      try {
        const nodes = await this.connection.client.listAllNodes();
        this.model.reset(nodes);
        for (const e of this.buffered ?? []) this.model.apply(e);
      } catch (err) {
        this.model.fail((err as Error).message);
        this.log.warn(`nodes: ${(err as Error).message}`);
      } finally {
        this.buffered = undefined;
        this.loading = undefined;
        this.update();
      }
    })();
    return this.loading;
  }

  private onEvent(e: OrchionEvent): void {
    if (e.type === 'reset') {
      void this.reload();
      return;
    }
    if (!e.type.startsWith('node.')) return;
    if (this.buffered) {
      this.buffered.push(e);
      return;
    }
    if (this.model.apply(e)) this.update();
  }

  private update(): void {
    void vscode.commands.executeCommand(
      'setContext',
      'orchion.nodesLoaded',
      this.model.loaded && this.model.counts().total === 0,
    );
    this.tree.refresh();
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
