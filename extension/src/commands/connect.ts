// Orchion: Connect to Orchestrator — asks for the URL and API token (kept in SecretStorage). Called with
// (url, token) it connects without asking and throws on failure (tests, scripts).
import * as vscode from 'vscode';
import { isLoopbackUrl, readLocalToken } from '../connection/local-token';
import { normalizeUrl, readSettings } from '../connection/settings';
import type { Services } from '../services';

export function connectCommand(s: Services) {
  return async (url?: unknown, token?: unknown): Promise<boolean> => {
    if (typeof url === 'string' && typeof token === 'string') {
      await s.connection.connect(url, token);
      return true;
    }
    const typedUrl = await vscode.window.showInputBox({
      title: 'Connect to an Orchion orchestrator (1/2)',
      prompt: 'The orchestrator HTTP API URL',
      value: readSettings().url,
      ignoreFocusOut: true,
      validateInput: (v) => {
        try {
          new URL(normalizeUrl(v));
          return undefined;
        } catch {
          return 'Enter a URL like http://127.0.0.1:7700';
        }
      },
    });
    if (typedUrl === undefined) return false;
    const target = normalizeUrl(typedUrl);
    const local = isLoopbackUrl(target) ? await readLocalToken() : undefined;
    const stored = await s.connection.storedToken(target);
    const typedToken = await vscode.window.showInputBox({
      title: 'Connect to an Orchion orchestrator (2/2)',
      prompt: local
        ? "API token — leave empty to use the local cluster's admin.token"
        : stored
          ? 'API token — leave empty to keep the stored one'
          : "API token (printed at the orchestrator's first start; admin.token in its data dir)",
      password: true,
      ignoreFocusOut: true,
    });
    if (typedToken === undefined) return false;
    const finalToken = typedToken.trim() || stored || local;
    if (!finalToken) {
      void vscode.window.showErrorMessage('An API token is needed to connect.');
      return false;
    }
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Connecting to ${target}…` },
      () => s.connection.connect(target, finalToken),
    );
    void vscode.window.showInformationMessage(`Orchion: connected to ${target}`);
    return true;
  };
}
