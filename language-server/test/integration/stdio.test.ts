/**
 * The bundled server (`node language-server/dist/server.js --stdio`, built by `node scripts/build.mjs`) in a
 * child process: a whole session over stdio, from initialize to exit.
 */
import { fork, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import {
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
  type CompletionList,
  type Location,
  type PublishDiagnosticsParams,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';

const SERVER = fileURLToPath(new URL('../../dist/server.js', import.meta.url));

const PIPELINE = [
  'apiVersion: orchion/v1',
  'kind: Pipeline',
  'metadata: { name: stdio }',
  'steps:',
  '  - id: summarize',
  "    prompt: 'hello'",
  '  - id: translate',
  '    needs: [sumarize]',
  "    prompt: 'Translate ${{ steps.summarize.output }}'",
  '',
].join('\n');

describe('bundled server over stdio', () => {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const client = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const diagnostics: PublishDiagnosticsParams[] = [];
  let onDiagnostics: (() => void) | undefined;
  client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diagnostics.push(p);
    onDiagnostics?.();
  });
  client.listen();
  const nextDiagnostics = (version: number): Promise<PublishDiagnosticsParams> =>
    new Promise((resolve) => {
      const check = (): void => {
        const found = diagnostics.find((d) => d.version === version);
        if (found) resolve(found);
      };
      onDiagnostics = check;
      check();
    });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const uri = 'file:///tmp/stdio.orchion.yaml';

  test('the bundle exists (run node scripts/build.mjs)', () => {
    expect(existsSync(SERVER)).toBe(true);
  });

  test('initialize, open, diagnostics, completion, definition, rename, shutdown, exit', async () => {
    const init = (await client.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      initializationOptions: { validationDelayMs: 0 },
    })) as { capabilities: { renameProvider: unknown }; serverInfo: { name: string } };
    expect(init.serverInfo.name).toBe('orchion-language-server');
    await client.sendNotification('initialized', {});

    const opened = nextDiagnostics(1);
    await client.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'yaml', version: 1, text: PIPELINE },
    });
    const first = await opened;
    expect(first.diagnostics.map((d) => [d.code, d.range.start.line, d.message])).toEqual([
      ['unknown-need', 7, 'step "translate" needs unknown step "sumarize" (did you mean "summarize"?)'],
      [
        'reference-not-upstream',
        8,
        'step "summarize" is not upstream of "translate": add it to needs (needs: [summarize])',
      ],
    ]);

    // Incremental edit: fix the typo.
    const edited = nextDiagnostics(2);
    await client.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [
        { range: { start: { line: 7, character: 12 }, end: { line: 7, character: 20 } }, text: 'summarize' },
      ],
    });
    expect((await edited).diagnostics).toEqual([]);

    const completion = (await client.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: { line: 8, character: 33 },
    })) as CompletionList;
    expect(completion.items.map((i) => i.label)).toEqual(['summarize']);

    const def = (await client.sendRequest('textDocument/definition', {
      textDocument: { uri },
      position: { line: 8, character: 36 },
    })) as Location;
    expect(def).toEqual({
      uri,
      range: { start: { line: 4, character: 8 }, end: { line: 4, character: 17 } },
    });

    const edit = (await client.sendRequest('textDocument/rename', {
      textDocument: { uri },
      position: { line: 4, character: 10 },
      newName: 'digest',
    })) as WorkspaceEdit;
    expect(
      edit.changes![uri]!.map((e) => `${e.range.start.line}:${e.range.start.character} ${e.newText}`),
    ).toEqual(['4:8 digest', '7:12 digest', '8:33 digest']);

    await client.sendRequest('shutdown');
    await client.sendNotification('exit');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });
});

describe('bundled server over node IPC (as VS Code starts it)', () => {
  test('initialize, open, diagnostics, shutdown, exit', async () => {
    const child = fork(SERVER, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const client = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const published = new Promise<PublishDiagnosticsParams>((resolve) =>
      client.onNotification('textDocument/publishDiagnostics', resolve),
    );
    client.listen();
    try {
      await client.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      await client.sendNotification('initialized', {});
      await client.sendNotification('textDocument/didOpen', {
        textDocument: { uri: 'file:///tmp/ipc.yaml', languageId: 'yaml', version: 1, text: PIPELINE },
      });
      expect((await published).diagnostics.map((d) => d.code)).toEqual([
        'unknown-need',
        'reference-not-upstream',
      ]);
      await client.sendRequest('shutdown');
      await client.sendNotification('exit');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
