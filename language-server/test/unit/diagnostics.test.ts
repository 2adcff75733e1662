import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NodeView } from '@orchion/api';
import { LiveValues } from '../../src/cluster/live-values.js';
import { expectGolden } from './helpers/golden.js';
import { showDiagnostics } from './helpers/format.js';
import { startSession, type Session } from './helpers/session.js';

const FIXTURES = join(import.meta.dirname, 'fixtures/diagnostics');
const GOLDEN = join(import.meta.dirname, 'golden/diagnostics');

describe('diagnostics over LSP (golden files)', () => {
  let session: Session;
  beforeAll(async () => {
    session = await startSession();
  });
  afterAll(() => session.dispose());

  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml.fixture'))) {
    test(file, async () => {
      const name = file.replace(/\.fixture$/, '');
      const uri = `file:///w/${name}`;
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      const published = await session.open(uri, text);
      expect(published.version).toBe(1);
      const lines = text.split('\n');
      for (const d of published.diagnostics) {
        // Every range lies inside the document.
        expect(d.range.start.line).toBeLessThan(lines.length);
        expect(d.range.end.character).toBeLessThanOrEqual(lines[d.range.end.line]!.length);
        expect(d.source).toBe('orchion');
      }
      expectGolden(
        join(GOLDEN, name.replace(/\.orchion\.yaml$/, '.txt')),
        showDiagnostics(published.diagnostics),
      );
    });
  }

  test('an edit re-validates with the new version (incremental sync)', async () => {
    const uri = 'file:///w/edit.orchion.yaml';
    const text = readFileSync(join(FIXTURES, 'valid.orchion.yaml.fixture'), 'utf8');
    expect((await session.open(uri, text)).diagnostics).toEqual([]);
    const line = text.split('\n').findIndex((l) => l.includes('needs: [greet]'));
    const col = text.split('\n')[line]!.indexOf('greet');
    const after = await session.change(uri, [
      { range: { start: { line, character: col }, end: { line, character: col + 5 } }, text: 'gret' },
    ]);
    expect(after.version).toBe(2);
    expect(showDiagnostics(after.diagnostics)).toContain(
      '[unknown-need] step "shorten" needs unknown step "gret" (did you mean "greet"?)',
    );
    const fixed = await session.change(uri, [
      { range: { start: { line, character: col }, end: { line, character: col + 4 } }, text: 'greet' },
    ]);
    expect(fixed.diagnostics).toEqual([]);
  });

  test('categories can be switched off in settings, and back on', async () => {
    const uri = 'file:///w/categories.orchion.yaml';
    const text = readFileSync(join(FIXTURES, 'broken.orchion.yaml.fixture'), 'utf8');
    const all = await session.open(uri, text);
    const codes = (p: typeof all): Set<string> => new Set(p.diagnostics.map((d) => String(d.code)));
    expect(codes(all)).toContain('cycle');
    expect(codes(all)).toContain('unknown-input');
    const published = await session.configure({ orchion: { diagnostics: { steps: false, inputs: false } } });
    const off = published.find((p) => p.uri === uri)!;
    expect(codes(off)).not.toContain('cycle');
    expect(codes(off)).not.toContain('unknown-need');
    expect(codes(off)).not.toContain('unknown-input');
    expect(codes(off)).toContain('reference-not-upstream');
    const back = (await session.configure({ orchion: {} })).find((p) => p.uri === uri)!;
    expect(codes(back)).toEqual(codes(all));
  });

  test('documents that are not pipelines are left alone', async () => {
    // The server publishes nothing for them: the next diagnostics seen for the URI are those of a later close.
    const k8s = 'file:///w/deploy.yaml';
    const agent = 'file:///w/agent.orchion.yaml';
    let published = false;
    const seen = session.nextDiagnostics(k8s).then(() => (published = true));
    await session.client.sendNotification('textDocument/didOpen', {
      textDocument: {
        uri: k8s,
        languageId: 'yaml',
        version: 1,
        text: 'apiVersion: apps/v1\nkind: Deployment\nsteps: 3\n',
      },
    });
    await session.client.sendNotification('textDocument/didOpen', {
      textDocument: {
        uri: agent,
        languageId: 'yaml',
        version: 1,
        text: 'apiVersion: orchion/v1\nkind: AgentConfig\nfoo: 1\n',
      },
    });
    // A request after the opens is answered after they were handled.
    const symbols = await session.client.sendRequest('textDocument/documentSymbol', {
      textDocument: { uri: k8s },
    });
    expect(symbols).toBeNull();
    expect(
      await session.client.sendRequest('textDocument/completion', {
        textDocument: { uri: agent },
        position: { line: 2, character: 0 },
      }),
    ).toBeNull();
    // A pipeline opened next gets its diagnostics; the Kubernetes file still got none.
    await session.open(
      'file:///w/after.yaml',
      'apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: x }\nsteps: []\n',
    );
    expect(published).toBe(false);
    void seen;
  });

  test('any YAML with apiVersion orchion/v1 is a pipeline, whatever its name', async () => {
    const p = await session.open(
      'file:///w/plain.yml',
      'apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: plain }\nsteps: []\n',
    );
    expect(showDiagnostics(p.diagnostics)).toContain('[schema-range] "steps" must not be empty');
  });
});

describe('cluster diagnostics (live values)', () => {
  // A listing function stands in for GET /api/v1/nodes here (the real orchestrator is exercised by the
  // integration test live-values.test.ts).
  const node = (models: { name: string; runtime: string }[], runtimes: string[]): NodeView =>
    ({
      id: 'n1',
      hostname: 'gpu-box',
      state: 'ready',
      runtimes,
      models: models.map((m) => ({ ...m, loaded: false })),
    }) as unknown as NodeView;

  test('unknown models and runtimes are warnings when the cluster is reachable', async () => {
    const live = new LiveValues({
      url: undefined,
      listNodes: async () => [node([{ name: 'qwen2.5-0.5b', runtime: 'embedded' }], ['embedded', 'echo'])],
    });
    await live.refresh();
    const session = await startSession({}, { liveValues: () => live });
    const text = [
      'apiVersion: orchion/v1',
      'kind: Pipeline',
      'metadata: { name: cluster }',
      'steps:',
      '  - id: a',
      '    model: qwen2.5-0.5c',
      '    prompt: hi',
      '  - id: b',
      '    model: qwen2.5-0.5b',
      '    runtime: ollama',
      '    prompt: hi',
      '',
    ].join('\n');
    const p = await session.open('file:///w/cluster.orchion.yaml', text);
    expect(showDiagnostics(p.diagnostics)).toBe(
      [
        '6:12-6:24 warning [unknown-model] no node of the cluster serves model "qwen2.5-0.5c" (did you mean "qwen2.5-0.5b"?)',
        '9:12-9:24 warning [unknown-model] model "qwen2.5-0.5b" is served by embedded, not by runtime "ollama"',
        '10:14-10:20 warning [unknown-runtime] no node of the cluster has runtime "ollama" (available: embedded, echo)',
        '',
      ].join('\n'),
    );
    const off = await session.configure({ orchion: { diagnostics: { cluster: false } } });
    expect(off[0]!.diagnostics).toEqual([]);
    await session.dispose();
  });

  test('offline: no warnings at all (the list is incomplete, not wrong)', async () => {
    const live = new LiveValues({
      url: undefined,
      listNodes: () => Promise.reject(new Error('connect ECONNREFUSED')),
    });
    await live.refresh();
    const session = await startSession({}, { liveValues: () => live });
    const p = await session.open(
      'file:///w/offline.orchion.yaml',
      'apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: x }\nsteps:\n  - id: a\n    model: nope\n    prompt: hi\n',
    );
    expect(p.diagnostics).toEqual([]);
    await session.dispose();
  });
});
