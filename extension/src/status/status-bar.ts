// Status bar item: nodes ready / jobs running; a click opens the dashboard (or Connect while disconnected).
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

  constructor(
    private readonly connection: Connection,
    private readonly nodes: NodesModel,
    private readonly jobs: JobsModel,
  ) {
    this.item.name = 'Orchion';
    this.update();
    this.item.show();
  }

  update(): void {
    const connected = this.connection.state === 'connected';
    const { text, tooltip } = statusText(connected, this.nodes.counts(), this.jobs.counts());
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = connected ? 'orchion.openDashboard' : 'orchion.connect';
  }

  /** For the test API. */
  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
