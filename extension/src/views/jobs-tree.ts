// The Jobs view: newest jobs first, live from `job.*` / `step.updated` events; a job's steps load when it is
// expanded (an error row if that fails or times out).
import type { JobState, OrchionEvent } from '@orchion/api';
import * as vscode from 'vscode';
import type { Connection } from '../connection/connection';
import type { Logger } from '../util/logger';
import { JobsModel, type JobChange } from './jobs-model';
import type { NodesModel } from './nodes-model';
import { RowTree } from './row-tree';
import { loadingRow, type Row } from './rows';

/** How many jobs the first load lists. */
const LIST_LIMIT = 100;
/** How often the durations of running jobs are redrawn. */
const TICK_MS = 1000;

export class JobsView implements vscode.Disposable {
  readonly model = new JobsModel();
  readonly tree: RowTree;
  private loading: Promise<void> | undefined;
  private buffered: OrchionEvent[] | undefined;
  private readonly changed = new vscode.EventEmitter<JobChange | undefined>();
  /** Fires with each change (logs, diagnostics and the status bar follow jobs through it). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly nodes: NodesModel,
    private readonly log: Logger,
  ) {
    this.tree = new RowTree('orchion.jobs', {
      roots: () => this.roots(),
      children: (row) => this.children(row),
    });
    this.updateTitle();
    const offEvents = connection.events.onEvent((e) => this.onEvent(e));
    // Durations of running jobs tick while the view is visible (a hidden view is not redrawn at all).
    const ticker = setInterval(() => {
      if (this.tree.view.visible && this.model.counts().running > 0) this.tree.refresh();
    }, TICK_MS);
    this.disposables.push(
      { dispose: () => clearInterval(ticker) },
      this.tree,
      this.changed,
      { dispose: offEvents },
      connection.onDidChange((state) => {
        if (state === 'connected') void this.reload();
        if (state === 'disconnected') {
          this.model.clear();
          this.update(undefined);
        }
      }),
    );
  }

  /** Shows only jobs in these states (undefined: all). */
  setFilter(states: readonly JobState[] | undefined): void {
    this.model.filter = states && states.length > 0 ? states : undefined;
    this.updateTitle();
    this.tree.refresh();
  }

  private updateTitle(): void {
    this.tree.view.description = this.model.filter ? `showing ${this.model.filter.join(', ')}` : undefined;
  }

  private roots(): Row[] {
    if (this.connection.state !== 'connected') return [];
    if (!this.model.loaded && this.model.error === undefined) {
      void this.reload();
      return [loadingRow('jobs-loading')];
    }
    return this.model.rows();
  }

  private async children(row: Row): Promise<Row[]> {
    if (row.kind !== 'job' || !row.jobId) return [];
    if (!this.model.hasDetail(row.jobId)) await this.loadDetail(row.jobId);
    return this.model.stepRows(row.jobId, (id) => this.nodes.hostname(id));
  }

  /** Fetches a job with its steps into the model (errors become an error row). */
  async loadDetail(jobId: string): Promise<void> {
    try {
      this.model.setDetail(await this.connection.client.getJob(jobId));
    } catch (err) {
      this.model.setDetailError(jobId, (err as Error).message);
    }
  }

  reload(): Promise<void> {
    if (this.loading) return this.loading;
    this.buffered = [];
    this.loading = (async () => {
      try {
        const { jobs } = await this.connection.client.listJobs({ limit: LIST_LIMIT });
        this.model.reset(jobs);
        for (const e of this.buffered ?? []) this.model.apply(e);
      } catch (err) {
        this.model.fail((err as Error).message);
        this.log.warn(`jobs: ${(err as Error).message}`);
      } finally {
        this.buffered = undefined;
        this.loading = undefined;
        this.update(undefined);
      }
    })();
    return this.loading;
  }

  private onEvent(e: OrchionEvent): void {
    if (e.type === 'reset') {
      void this.reload();
      return;
    }
    if (!e.type.startsWith('job.') && e.type !== 'step.updated') return;
    if (this.buffered) {
      this.buffered.push(e);
      return;
    }
    const change = this.model.apply(e);
    if (change) this.update(change);
  }

  private update(change: JobChange | undefined): void {
    void vscode.commands.executeCommand(
      'setContext',
      'orchion.jobsLoaded',
      this.model.loaded && Object.values(this.model.counts()).every((n) => n === 0),
    );
    this.tree.refresh();
    this.changed.fire(change);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
