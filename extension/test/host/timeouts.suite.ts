// A request that gets no answer ends in an error row with a retry, never an endless spinner; the views recover
// once the orchestrator answers again. The orchestrator is reached through a loopback TCP relay that can stop
// answering (a network fault injector: the orchestrator behind it is the real one).
import * as assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import * as vscode from 'vscode';
import { api, connected, testEnv, waitFor, workspaceFile } from './helpers';

interface Relay {
  url: string;
  /** 'forward': pass traffic on; 'silent': drop every connection and answer nothing on new ones. */
  setMode(mode: 'forward' | 'silent'): void;
  close(): Promise<void>;
}

async function startRelay(target: URL): Promise<Relay> {
  let mode: 'forward' | 'silent' = 'forward';
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (mode === 'silent') return; // accepted, never answered
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    setMode(next) {
      mode = next;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function registerTimeoutsSuite(): void {
  suite('timeouts', () => {
    let relay: Relay | undefined;
    const config = () => vscode.workspace.getConfiguration('orchion');

    suiteTeardown(async () => {
      await config().update('requestTimeout', undefined, vscode.ConfigurationTarget.Global);
      const env = testEnv();
      await vscode.commands.executeCommand('orchion.connect', env.url, env.token);
      await relay?.close();
    });

    test('a request without an answer ends in an error row with a retry, and the views recover', async () => {
      const env = testEnv();
      const ext = await connected();
      relay = await startRelay(new URL(env.url));
      await config().update('requestTimeout', 1, vscode.ConfigurationTarget.Global);
      assert.equal(await vscode.commands.executeCommand('orchion.connect', relay.url, env.token), true);
      // A job the view learns of (through the relay's event stream) but whose steps it has not loaded yet.
      const pipeline = new TextDecoder().decode(
        await vscode.workspace.fs.readFile(workspaceFile('hello.orchion.yaml')),
      );
      const job = await api<{ id: string }>('/api/v1/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pipeline }),
      });
      await waitFor('the new job listed through the relay', async () =>
        (await ext.rows('orchion.jobs', { expand: false })).some((r) => r.id === `job:${job.id}`),
      );

      relay.setMode('silent');
      const started = Date.now();
      await vscode.commands.executeCommand('orchion.refresh');
      const elapsed = Date.now() - started;
      const nodes = await ext.rows('orchion.nodes');
      assert.equal(nodes[0]?.contextValue, 'error', JSON.stringify(nodes[0]));
      assert.match(nodes[0]!.label, /Could not load nodes: .*timed out/);
      assert.ok(nodes.length > 1, 'the known nodes stay listed under the error');
      const jobs = await ext.rows('orchion.jobs');
      assert.match(jobs[0]!.label, /Could not load jobs: .*timed out/);
      // Expanding the job whose steps were never loaded ends in an error row too.
      const unexpanded = jobs.find((j) => j.id === `job:${job.id}`);
      assert.equal(unexpanded?.children?.[0]?.contextValue, 'error', JSON.stringify(unexpanded));
      assert.match(unexpanded!.children![0]!.label, /Could not load steps: .*timed out/);
      console.log(`refresh through a silent relay ended after ${elapsed} ms (timeout 1 s)`);

      relay.setMode('forward');
      await vscode.commands.executeCommand('orchion.refresh');
      const back = await ext.rows('orchion.nodes');
      assert.equal(back[0]?.contextValue, 'node.ready', JSON.stringify(back[0]));
    });
  });
}
