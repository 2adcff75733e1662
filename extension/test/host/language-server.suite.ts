// The bundled language server starts when a pipeline is open and offers the code lenses the extension handles.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { testApi, waitFor, workspaceFile } from './helpers';

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
  });
}
