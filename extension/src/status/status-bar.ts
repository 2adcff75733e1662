// Status bar item: nodes ready / jobs running; a click opens the dashboard (or Connect while disconnected).
// While the event stream keeps failing it says so (the views may be out of date).
import * as vscode from 'vscode';
import type { Connection } from '../connection/connection';
import type { JobsModel } from '../views/jobs-model';
import type { NodesModel } from '../views/nodes-model';
import { statusText } from './status-text';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'orchion.status',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly offStream: () => void;
  /** Consecutive failed stream attempts, and the last error. */
  private failures = 0;
  private lastError = '';

  constructor(
    private readonly connection: Connection,
    private readonly nodes: NodesModel,
    private readonly jobs: JobsModel,
  ) {
    this.item.name = 'Orchion';
    this.offStream = connection.events.onState((state, error) => {
      if (state === 'retrying' && error) {
        this.failures++;
        this.lastError = error;
      } else if (state === 'open' || state === 'stopped') {
        this.failures = 0;
      }
      this.update();
    });
    this.update();
    this.item.show();
  }

  update(): void {
    const connected = this.connection.state === 'connected';
    // One failed attempt is routine (e.g. a server restart): say so from the second in a row.
    const down = this.failures >= 2 ? this.lastError : undefined;
    const { text, tooltip } = statusText(connected, this.nodes.counts(), this.jobs.counts(), down);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = connected ? 'orchion.openDashboard' : 'orchion.connect';
  }

  /** For the test API. */
  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.offStream();
    this.item.dispose();
  }
}
