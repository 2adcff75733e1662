// A small API for the extension's in-host tests, returned by activate() as `testApi`: what a person sees but
// VS Code gives extensions no way to read (tree rows, log channel text, the status bar). Not for other uses.
import type * as vscode from 'vscode';
import type { HostToWebview } from '../../webview-ui/src/protocol';
import type { ConnectionState } from './connection/connection';
import type { Services } from './services';
import type { StatusBar } from './status/status-bar';
import type { Row } from './views/rows';
import { DashboardBridge } from './webview/bridge';

export interface RowSnapshot {
  id: string;
  label: string;
  description?: string;
  contextValue?: string;
  children?: RowSnapshot[];
}

export interface OrchionTestApi {
  /** How long activate() took (ms). */
  readonly activationMs: number;
  connectionState(): ConnectionState;
  connectionUrl(): string | undefined;
  /**
   * The rows of a view as the tree shows them, with the children of collapsible rows one level deep (as if
   * expanded; `expand: false` leaves them out, so nothing is loaded for them).
   */
  rows(view: 'orchion.nodes' | 'orchion.jobs', options?: { expand?: boolean }): Promise<RowSnapshot[]>;
  /** How many times a view was redrawn, and whether it is visible (views redraw only while visible). */
  redraws(view: 'orchion.nodes' | 'orchion.jobs'): { count: number; visible: boolean };
  /** The text written so far to a job's log channel, and the channel names by job id. */
  channelText(jobId: string): string | undefined;
  channelNames(): Record<string, string>;
  statusBarText(): string;
  languageServerRunning(): boolean;
  /**
   * Drops the shared event stream's connection and keeps it down until the returned function is called (an
   * outage), to check that it resumes from the last event id without losing events.
   */
  pauseEventStream(): () => void;
  /** Fires when failed-step diagnostics of a job were published or cleared on a file. */
  onDidPublishDiagnostics: vscode.Event<vscode.Uri>;
  /** Messages the dashboard page sent to the host, by type (the page runs under its CSP when it says ready). */
  dashboardMessages(): Record<string, number>;
  /** A dashboard bridge wired like the webview's, posting to `post` (tests the host side of the protocol). */
  createDashboardBridge(post: (message: HostToWebview) => void): DashboardBridge;
}

const snapshot = (r: Row): RowSnapshot => ({
  id: r.id,
  label: r.label,
  description: r.description,
  contextValue: r.contextValue,
});

export function createTestApi(s: Services, statusBar: StatusBar, activationMs: number): OrchionTestApi {
  return {
    activationMs,
    connectionState: () => s.connection.state,
    connectionUrl: () => s.connection.url,
    async rows(view, options = {}) {
      const tree = view === 'orchion.nodes' ? s.nodes.tree : s.jobs.tree;
      const roots = await tree.getChildren();
      return Promise.all(
        roots.map(async (r) => ({
          ...snapshot(r),
          children:
            r.collapsible === 'none' || options.expand === false
              ? undefined
              : (await tree.getChildren(r)).map(snapshot),
        })),
      );
    },
    redraws: (view) => {
      const tree = view === 'orchion.nodes' ? s.nodes.tree : s.jobs.tree;
      return { count: tree.redraws, visible: tree.view.visible };
    },
    channelText: (jobId) => s.logs.text(jobId),
    channelNames: () => s.logs.names(),
    statusBarText: () => statusBar.text,
    languageServerRunning: () => s.languageClient.running,
    onDidPublishDiagnostics: s.diagnostics.onDidPublish,
    pauseEventStream: () => s.connection.events.pause(),
    dashboardMessages: () => ({ ...s.dashboard.received }),
    createDashboardBridge: (post) =>
      new DashboardBridge({
        endpoint: () => s.connection.endpoint(),
        post,
        command: () => undefined,
      }),
  };
}
