// Activation: the extension loads in the real host, registers every contributed command, and reports how long
// activate() took (printed; measured, not asserted).
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, testApi } from './helpers';

const CONTRACT_COMMANDS = [
  'orchion.connect',
  'orchion.startLocalCluster',
  'orchion.submitPipeline',
  'orchion.cancelJob',
  'orchion.rerunJob',
  'orchion.showJobLogs',
  'orchion.openDashboard',
  'orchion.revealStep',
  'orchion.copyJobId',
  'orchion.refresh',
  'orchion.runPipeline',
  'orchion.runFromStep',
];

export function registerActivationSuite(): void {
  suite('activation', () => {
    test('activates and reports its activation time', async () => {
      const api = await testApi();
      assert.equal(typeof api.activationMs, 'number');
      console.log(`ORCHION_ACTIVATION_MS=${api.activationMs.toFixed(2)}`);
      assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
    });

    test('keeps the parser and the language client out of activation (measured)', async () => {
      const api = await testApi();
      const dist = join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist');
      // What loading the two lazy bundles costs, i.e. what activation would pay if they were eager.
      for (const file of ['pipeline-tools.js', 'language-client.js']) {
        const path = join(dist, file);
        const cached = require.cache[path] !== undefined;
        const t0 = performance.now();
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(path);
        const ms = performance.now() - t0;
        console.log(
          `ORCHION_LAZY_LOAD ${file}: ${ms.toFixed(2)} ms${cached ? ' (already loaded: not measured)' : ''}; ` +
            `activation ${api.activationMs.toFixed(2)} ms; ratio ${(ms / api.activationMs).toFixed(1)}x`,
        );
      }
    });

    test('registers every contributed command', async () => {
      await testApi();
      const all = new Set(await vscode.commands.getCommands(true));
      const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
        contributes: { commands: { command: string }[] };
      };
      const contributed = manifest.contributes.commands.map((c) => c.command);
      for (const id of [...CONTRACT_COMMANDS, ...contributed]) assert.ok(all.has(id), `${id} is registered`);
    });
  });
}
