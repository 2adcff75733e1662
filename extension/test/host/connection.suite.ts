// Connect: a wrong token is refused (and not stored); the right one connects, and the status bar follows.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { connected, testApi, testEnv, waitFor } from './helpers';

export function registerConnectionSuite(): void {
  suite('connection', () => {
    test('a wrong token does not connect', async () => {
      const api = await testApi();
      const ok = await vscode.commands.executeCommand<boolean | undefined>(
        'orchion.connect',
        testEnv().url,
        'not-the-token',
      );
      assert.notEqual(ok, true);
      const env = testEnv();
      assert.ok(
        api.connectionState() !== 'connected' || api.connectionUrl() !== env.url.replace(/\/+$/, ''),
        'not connected to the test cluster',
      );
    });

    test('connects with (url, token) and shows the cluster in the status bar', async () => {
      const api = await connected();
      assert.equal(api.connectionState(), 'connected');
      const configured = vscode.workspace.getConfiguration('orchion').get<string>('url');
      assert.equal(configured, testEnv().url.replace(/\/+$/, ''));
      const text = await waitFor('the status bar to count a ready node', () => {
        const t = api.statusBarText();
        return /\$\(server\) [1-9]\d*\/\d+/.test(t) ? t : undefined;
      });
      console.log(`status bar: ${text}`);
    });
  });
}
