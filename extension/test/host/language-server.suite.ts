// The bundled language server starts when a pipeline is open and offers the code lenses the extension handles.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { connected, testApi, waitFor, workspaceFile } from './helpers';

export function registerLanguageServerSuite(): void {
  suite('language server', () => {
    test('starts for a pipeline file and offers Run pipeline / Run from here code lenses', async () => {
      const ext = await testApi();
      const uri = workspaceFile('hello.orchion.yaml');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await waitFor('the language server to run', () => ext.languageServerRunning(), 30_000);
      const lenses = await waitFor(
        'code lenses',
        async () => {
          const l = await vscode.commands.executeCommand<vscode.CodeLens[]>(
            'vscode.executeCodeLensProvider',
            uri,
            10,
          );
          return l && l.some((x) => x.command?.command === 'orchion.runPipeline') ? l : undefined;
        },
        30_000,
      );
      const run = lenses.find((l) => l.command?.command === 'orchion.runPipeline')!;
      assert.ok(run.command?.arguments?.length, 'Run pipeline carries the document URI');
      const fromHere = lenses.filter((l) => l.command?.command === 'orchion.runFromStep');
      assert.ok(
        fromHere.some((l) => l.command?.arguments?.[1] === 'greet'),
        'Run from here on step greet',
      );
    });

    test('knows the cluster (URL and token passed) and follows the diagnostics settings', async () => {
      await connected();
      const uri = workspaceFile('unknown-model.orchion.yaml');
      const text = [
        'apiVersion: orchion/v1',
        'kind: Pipeline',
        'metadata: { name: unknown-model }',
        'steps:',
        '  - id: ask',
        '    model: no-such-model',
        '    prompt: hi',
        '',
      ].join('\n');
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const config = vscode.workspace.getConfiguration('orchion');
      const unknownModel = () =>
        vscode.languages.getDiagnostics(uri).filter((d) => /no-such-model/.test(d.message));
      try {
        const found = await waitFor('a warning about the model no node serves', () =>
          unknownModel().length > 0 ? unknownModel() : undefined,
        );
        console.log(`language server: ${found[0]!.message}`);
        await config.update('diagnostics.cluster', false, vscode.ConfigurationTarget.Global);
        await waitFor('the warning gone once its category is off', () => unknownModel().length === 0);
      } finally {
        await config.update('diagnostics.cluster', undefined, vscode.ConfigurationTarget.Global);
      }
    });
  });
}
