// The manifest and the code agree: every command the extension contributes (palette, menus, walkthrough links,
// completion events) is registered once it is active, and the walkthrough's media files ship with it.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, testApi } from './helpers';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    walkthroughs: {
      steps: { description: string; media: Record<string, string>; completionEvents?: string[] }[];
    }[];
  };
}

export function registerManifestSuite(): void {
  suite('manifest', () => {
    const ext = () => vscode.extensions.getExtension(EXTENSION_ID)!;
    const manifest = () => ext().packageJSON as Manifest;

    test('every contributed command is registered', async () => {
      await testApi(); // activated
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = manifest()
        .contributes.commands.map((c) => c.command)
        .filter((c) => !registered.has(c));
      assert.deepEqual(missing, []);
    });

    test('the walkthrough links and completion events name registered commands, and its media exist', async () => {
      await testApi();
      const registered = new Set(await vscode.commands.getCommands(true));
      const steps = manifest().contributes.walkthroughs.flatMap((w) => w.steps);
      assert.ok(steps.length >= 3, 'the walkthrough has its steps');
      const named = steps.flatMap((s) => [
        ...[...s.description.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]!),
        ...(s.completionEvents ?? []).filter((e) => e.startsWith('onCommand:')).map((e) => e.slice(10)),
      ]);
      assert.ok(named.length > 0);
      assert.deepEqual(
        named.filter((c) => !registered.has(c)),
        [],
      );
      const media = steps
        .flatMap((s) => ['markdown', 'image', 'svg'].map((k) => s.media[k]))
        .filter((m): m is string => typeof m === 'string' && !/^(https?|data):/.test(m));
      assert.ok(media.length > 0);
      assert.deepEqual(
        media.filter((m) => !existsSync(join(ext().extensionPath, m))),
        [],
      );
    });
  });
}
