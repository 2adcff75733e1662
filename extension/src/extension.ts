// Activation: cheap and lazy. Creates the views, status bar and commands, then connects in the background with
// what is stored (no prompt). The pipeline parser and the language client are loaded on first use.
import * as vscode from 'vscode';
import { registerCommands } from './commands/index';
import { Connection } from './connection/connection';
import { readSettings } from './connection/settings';
import { JobDiagnostics } from './diagnostics/job-diagnostics';
import { LanguageClientController } from './language-client/controller';
import { JobLogs } from './logs/job-logs';
import type { Services } from './services';
import { StatusBar } from './status/status-bar';
import { createTestApi, type OrchionTestApi } from './test-api';
import { Logger } from './util/logger';
import { JobsView } from './views/jobs-tree';
import { NodesView } from './views/nodes-tree';
import { DashboardPanel } from './webview/dashboard-panel';

export interface OrchionExtensionApi {
  /** For the extension's own tests only. */
  testApi: OrchionTestApi;
}

export function activate(context: vscode.ExtensionContext): OrchionExtensionApi {
  const started = performance.now();
  const log = new Logger();
  log.setLevel(readSettings().logLevel);
  const connection = new Connection(context.secrets, log);
  const nodes = new NodesView(connection, log);
  const jobs = new JobsView(connection, nodes.model, log);
  const logs = new JobLogs(connection, log);
  const diagnostics = new JobDiagnostics(context.workspaceState, connection, log);
  const dashboard = new DashboardPanel(context.extensionUri, connection, log);
  const languageClient = new LanguageClientController(context.extensionUri, connection, log);
  const statusBar = new StatusBar(connection, nodes.model, jobs.model);
  const services: Services = {
    context,
    log,
    connection,
    nodes,
    jobs,
    logs,
    diagnostics,
    dashboard,
    languageClient,
  };
  context.subscriptions.push(
    log,
    connection,
    nodes,
    jobs,
    logs,
    diagnostics,
    dashboard,
    languageClient,
    statusBar,
    connection.onDidChange(() => statusBar.update()),
    nodes.onDidChange(() => statusBar.update()),
    jobs.onDidChange((change) => {
      statusBar.update();
      diagnostics.onJobChange(change);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('orchion.logLevel')) log.setLevel(readSettings().logLevel);
      if (
        e.affectsConfiguration('orchion.url') &&
        connection.state === 'connected' &&
        connection.url !== readSettings().url
      )
        void connection.restore();
    }),
  );
  registerCommands(services);
  void connection.restore();
  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { testApi: createTestApi(services, statusBar, activationMs) };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
