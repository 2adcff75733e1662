// Orchion: Start Local Cluster — runs `orchion up` (the `orchion.localCluster.command` setting, else the CLI of
// the workspace) in a terminal, waits until it answers, then connects with its admin.token.
import * as vscode from 'vscode';
import { readLocalToken } from '../connection/local-token';
import { readSettings } from '../connection/settings';
import type { Services } from '../services';
import { localClusterCommand } from './local-cluster-command';

const TERMINAL_NAME = 'Orchion cluster';
const WAIT_MS = 90_000;

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

export function startLocalClusterCommand(s: Services) {
  return async (): Promise<boolean> => {
    const settings = readSettings();
    if (await healthy(settings.url)) {
      const token = await readLocalToken();
      if (token) {
        await s.connection.connect(settings.url, token);
        void vscode.window.showInformationMessage(
          `Orchion: a cluster already runs at ${settings.url}; connected.`,
        );
        return true;
      }
      void vscode.window.showInformationMessage(
        `An orchestrator already answers at ${settings.url}: connect with its token.`,
      );
      return vscode.commands.executeCommand<boolean>('orchion.connect');
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const command = localClusterCommand(settings.localClusterCommand, folder);
    const terminal =
      vscode.window.terminals.find((t) => t.name === TERMINAL_NAME) ??
      vscode.window.createTerminal({
        name: TERMINAL_NAME,
        cwd: folder,
        iconPath: new vscode.ThemeIcon('server-process'),
      });
    terminal.show(true);
    terminal.sendText(command);
    s.log.info(`starting a local cluster: ${command}${folder ? ` in ${folder}` : ''}`);
    const up = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Starting a local Orchion cluster…',
        cancellable: true,
      },
      async (_progress, cancel) => {
        const deadline = Date.now() + WAIT_MS;
        while (Date.now() < deadline && !cancel.isCancellationRequested) {
          if (await healthy(settings.url)) return true;
          await new Promise((r) => setTimeout(r, 500));
        }
        return false;
      },
    );
    if (!up) {
      void vscode.window.showErrorMessage(
        `The local cluster did not answer at ${settings.url} within ${WAIT_MS / 1000} s: see the "${TERMINAL_NAME}" terminal.`,
      );
      return false;
    }
    const token = await readLocalToken();
    if (!token) return vscode.commands.executeCommand<boolean>('orchion.connect');
    await s.connection.connect(settings.url, token);
    void vscode.window.showInformationMessage(
      `Orchion: local cluster running at ${settings.url}; connected.`,
    );
    return true;
  };
}
