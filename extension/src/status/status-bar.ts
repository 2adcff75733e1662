// Status bar item: nodes ready / jobs running; a click opens the dashboard (or Connect while disconnected).
import * as vscode from 'vscode';
import type { Connection } from '../connection/connection';
import type { JobsModel } from '../views/jobs-model';
import type { NodesModel } from '../views/nodes-model';

/** The status bar's text and tooltip (pure). */
export function statusText(
  connected: boolean,
  nodes: { ready: number; total: number },
  jobs: { running: number; queued: number },
): { text: string; tooltip: string } {
  if (!connected) return { text: '$(debug-disconnect) Orchion', tooltip: 'Orchion: not connected — click to connect' };
  const queued = jobs.queued ? ` · ${jobs.queued} queued` : '';
  return {
    text: `$(server) ${nodes.ready}/${nodes.total} $(sync${jobs.running ? '~spin' : ''}) ${jobs.running}`,
    tooltip: `Orchion: ${nodes.ready} of ${nodes.total} nodes ready · ${jobs.running} jobs running${queued}\nClick to open the dashboard`,
  };
}

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('orchion.status', vscode.StatusBarAlignment.Left, 10);

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
