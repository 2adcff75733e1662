// The extension's settings (contributes.configuration in package.json).
import * as vscode from 'vscode';

export const DEFAULT_URL = 'http://127.0.0.1:7700';

export interface Settings {
  url: string;
  /** Per-request timeout of API calls (ms). */
  requestTimeoutMs: number;
  logLevel: string;
  autoRevealLogs: boolean;
  localClusterCommand: string;
  failedStepDiagnostics: boolean;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('orchion');
  return {
    url: normalizeUrl(c.get<string>('url') || DEFAULT_URL),
    requestTimeoutMs: Math.round(Math.min(300, Math.max(0.1, c.get<number>('requestTimeout') ?? 10)) * 1000),
    logLevel: c.get<string>('logLevel') ?? 'info',
    autoRevealLogs: c.get<boolean>('autoRevealLogs') ?? true,
    localClusterCommand: c.get<string>('localCluster.command') ?? '',
    failedStepDiagnostics: c.get<boolean>('diagnostics.failedSteps') ?? true,
  };
}

/** Trims and drops trailing slashes; adds http:// when no scheme is given. */
export function normalizeUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/** Saves the URL where it is set (workspace if overridden there, else user settings). */
export async function saveUrl(url: string): Promise<void> {
  const c = vscode.workspace.getConfiguration('orchion');
  if (normalizeUrl(c.get<string>('url') || DEFAULT_URL) === url) return;
  const inspected = c.inspect<string>('url');
  const target =
    inspected?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspected?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await c.update('url', url, target);
}
