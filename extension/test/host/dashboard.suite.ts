// The dashboard's host side: the bridge proxies `request` and `subscribe` to the real orchestrator with the
// stored token; the panel opens.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HostToWebview } from '../../../webview-ui/src/protocol';
import { connected, waitFor } from './helpers';

export function registerDashboardSuite(): void {
  suite('dashboard', () => {
    test('the bridge answers requests and streams SSE frames with the stored token', async () => {
      const ext = await connected();
      const got: HostToWebview[] = [];
      const bridge = ext.createDashboardBridge((m) => got.push(m));
      try {
        await bridge.handle({ type: 'ready' });
        assert.deepEqual(got[0], { type: 'connection', state: 'connected', url: ext.connectionUrl() });
        await bridge.handle({ type: 'request', id: 1, method: 'GET', path: '/api/v1/nodes' });
        const res = got.find((m) => m.type === 'response' && m.id === 1) as Extract<
          HostToWebview,
          { type: 'response' }
        >;
        assert.equal(res.status, 200);
        assert.ok((res.body as { nodes: unknown[] }).nodes.length > 0);
        await bridge.handle({ type: 'request', id: 2, method: 'GET', path: '/api/v1/jobs/no-such-job' });
        const missing = got.find((m) => m.type === 'response' && m.id === 2) as Extract<
          HostToWebview,
          { type: 'response' }
        >;
        assert.equal(missing.status, 404);
        // A finished job's logs without follow: frames, then the end of the stream.
        const jobs = got.length;
        await bridge.handle({
          type: 'request',
          id: 3,
          method: 'GET',
          path: '/api/v1/jobs?limit=1&state=succeeded',
        });
        const list = got.slice(jobs).find((m) => m.type === 'response' && m.id === 3) as Extract<
          HostToWebview,
          { type: 'response' }
        >;
        const job = (list.body as { jobs: { id: string }[] }).jobs[0];
        assert.ok(job, 'a succeeded job exists (the jobs suite ran)');
        void bridge.handle({ type: 'subscribe', id: 4, path: `/api/v1/jobs/${job.id}/logs` });
        await waitFor('the stream to end', () => got.some((m) => m.type === 'stream-error' && m.id === 4));
        const frames = got.filter((m) => m.type === 'event' && m.id === 4) as Extract<
          HostToWebview,
          { type: 'event' }
        >[];
        assert.ok(
          frames.some((f) => f.event === 'token'),
          'token frames came through',
        );
        assert.ok(
          frames.some((f) => f.event === 'end'),
          'the end frame came through',
        );
        await bridge.handle({ type: 'request', id: 5, method: 'GET', path: '/etc/passwd' });
        const refused = got.find((m) => m.type === 'response' && m.id === 5) as Extract<
          HostToWebview,
          { type: 'response' }
        >;
        assert.equal(refused.status, 400);
      } finally {
        bridge.dispose();
      }
    });

    test('Open dashboard opens the webview panel, whose page runs and talks to the API through the host', async () => {
      const ext = await connected();
      await vscode.commands.executeCommand('orchion.openDashboard');
      const tab = await waitFor('the dashboard tab', () =>
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Orchion Dashboard'),
      );
      assert.ok(tab);
      const got = await waitFor('the page to say ready, request data and subscribe to events', () => {
        const m = ext.dashboardMessages();
        return m.ready && m.request && m.subscribe ? m : undefined;
      });
      console.log(`dashboard messages: ${JSON.stringify(got)}`);
    });
  });
}
