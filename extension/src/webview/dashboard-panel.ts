// The dashboard in a webview panel: the webview-ui build (dist/webview) with a strict CSP; its API requests and
// streams go through the DashboardBridge with the stored token.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { isWebviewMessage } from '../../../webview-ui/src/protocol';
import { renderWebviewHtml } from '../../../webview-ui/src/webview-html';
import type { Connection } from '../connection/connection';
import type { Logger } from '../util/logger';
import { DashboardBridge } from './bridge';

export class DashboardPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private bridge: DashboardBridge | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Messages received from the page by type (the test API reads them: proof that the page runs). */
  readonly received: Record<string, number> = {};

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly connection: Connection,
    private readonly log: Logger,
  ) {
    this.disposables.push(
      connection.onDidChange((state) => {
        if (state !== 'connecting') this.bridge?.reconnected();
      }),
    );
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(
      'orchion.dashboard',
      'Orchion Dashboard',
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: [root],
      },
    );
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'orchion.svg');
    const bridge = new DashboardBridge({
      endpoint: () => this.connection.endpoint(),
      post: (m) => void panel.webview.postMessage(m),
      command: (command, args) => void vscode.commands.executeCommand(command, ...args),
      log: (level, message) => this.log.log(level, `dashboard: ${message}`),
    });
    panel.webview.html = this.html(panel.webview, root);
    panel.webview.onDidReceiveMessage((m: unknown) => {
      if (!isWebviewMessage(m)) return;
      this.received[m.type] = (this.received[m.type] ?? 0) + 1;
      void bridge.handle(m);
    });
    panel.onDidDispose(() => {
      bridge.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.bridge = undefined;
      }
    });
    this.panel = panel;
    this.bridge = bridge;
  }

  private html(webview: vscode.Webview, root: vscode.Uri): string {
    if (!existsSync(vscode.Uri.joinPath(root, 'dashboard.js').fsPath)) {
      return `<!doctype html><html><body><p>The dashboard is not part of this build (dist/webview/dashboard.js is missing).</p></body></html>`;
    }
    return renderWebviewHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dashboard.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dashboard.css')).toString(),
      nonce: randomBytes(18).toString('base64url'),
      cspSource: webview.cspSource,
      title: 'Orchion Dashboard',
    });
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
