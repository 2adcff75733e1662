// Start Local Cluster, for real: the command runs `orchion up` (this repository's CLI, through the
// `orchion.localCluster.command` setting) in a VS Code terminal, waits for it to answer and connects with the
// admin.token it wrote. The cluster gets its own data dir and a free loopback port (never the default 7700), and
// is stopped by its PID (from its runtime file) at the end; the extension then goes back to the test cluster.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, testApi, testEnv, waitFor } from './helpers';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function runtimePid(dataDir: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(dataDir, 'orchestrator.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

export function registerLocalClusterSuite(): void {
  suite('start local cluster', () => {
    const config = () => vscode.workspace.getConfiguration('orchion');
    const dataDir = mkdtempSync(join(tmpdir(), 'orchion-local-cluster-'));
    const savedDataDirEnv = process.env.ORCHION_DATA_DIR;

    suiteTeardown(async () => {
      const pid = runtimePid(dataDir);
      if (pid) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
        await waitFor(
          'the local cluster to stop',
          () => runtimePid(dataDir) === undefined || undefined,
          30_000,
        )
          .then(() => undefined)
          .catch(() => undefined);
      }
      vscode.window.terminals.find((t) => t.name === 'Orchion cluster')?.dispose();
      if (savedDataDirEnv === undefined) delete process.env.ORCHION_DATA_DIR;
      else process.env.ORCHION_DATA_DIR = savedDataDirEnv;
      await config().update('url', undefined, vscode.ConfigurationTarget.Global);
      await config().update('localCluster.command', undefined, vscode.ConfigurationTarget.Global);
      const env = testEnv();
      await vscode.commands.executeCommand('orchion.connect', env.url, env.token);
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('runs orchion up in a terminal, connects with its token, and lists its local agent', async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const repo = dirname(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath);
      const cli = join(repo, 'orchestrator', 'dist', 'cli.js');
      const command =
        `node '${cli}' up --data-dir '${dataDir}' --http-addr 127.0.0.1:${port} --grpc-addr 127.0.0.1:0 ` +
        `--runtime echo --hostname local-cluster-test --heartbeat-interval 1s`;
      // The extension finds the local admin.token where the CLI does: ORCHION_DATA_DIR, else ~/.orchion.
      process.env.ORCHION_DATA_DIR = dataDir;
      await config().update('url', url, vscode.ConfigurationTarget.Global);
      await config().update('localCluster.command', command, vscode.ConfigurationTarget.Global);

      const ok = await vscode.commands.executeCommand<boolean>('orchion.startLocalCluster');
      assert.equal(ok, true, 'orchion.startLocalCluster reported failure');
      assert.ok(
        vscode.window.terminals.some((t) => t.name === 'Orchion cluster'),
        'no "Orchion cluster" terminal',
      );
      const api = await testApi();
      assert.equal(api.connectionState(), 'connected');
      assert.equal(api.connectionUrl(), url);
      const pid = runtimePid(dataDir);
      assert.ok(pid, 'orchion up wrote no runtime file in its data dir');
      const row = await waitFor('the local agent in the Nodes view', async () =>
        (await api.rows('orchion.nodes', { expand: false })).find(
          (r) => r.label.includes('local-cluster-test') || r.description?.includes('local-cluster-test'),
        ),
      );
      assert.match(row.contextValue ?? '', /ready/);
    });
  });
}
