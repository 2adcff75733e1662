// What commands work with: the parts of the extension created at activation.
import type * as vscode from 'vscode';
import type { Connection } from './connection/connection';
import type { JobDiagnostics } from './diagnostics/job-diagnostics';
import type { LanguageClientController } from './language-client/controller';
import type { JobLogs } from './logs/job-logs';
import type { Logger } from './util/logger';
import type { DashboardPanel } from './webview/dashboard-panel';
import type { JobsView } from './views/jobs-tree';
import type { NodesView } from './views/nodes-tree';

export interface Services {
  context: vscode.ExtensionContext;
  log: Logger;
  connection: Connection;
  nodes: NodesView;
  jobs: JobsView;
  logs: JobLogs;
  diagnostics: JobDiagnostics;
  dashboard: DashboardPanel;
  languageClient: LanguageClientController;
}
