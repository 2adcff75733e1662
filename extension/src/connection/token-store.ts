// API tokens live in VS Code's SecretStorage (the OS keychain where there is one), one per orchestrator URL.
import type * as vscode from 'vscode';

const key = (url: string): string => `orchion.token:${url}`;

export class TokenStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(url: string): Thenable<string | undefined> {
    return this.secrets.get(key(url));
  }

  set(url: string, token: string): Thenable<void> {
    return this.secrets.store(key(url), token);
  }

  delete(url: string): Thenable<void> {
    return this.secrets.delete(key(url));
  }
}
