import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Location, Range, WorkspaceEdit } from 'vscode-languageserver/node';
import { withCursor, yaml } from './helpers/cursor.js';
import { applyEdits, showRange } from './helpers/format.js';
import { startSession, type Session } from './helpers/session.js';

const PIPELINE = yaml`
  apiVersion: orchion/v1
  kind: Pipeline
  metadata: { name: nav }
  inputs:
    topic: { type: string }
  steps:
    - id: summarize
      prompt: 'About \${{ inputs.topic }}'
    - id: "translate"
      needs: [summarize]
      messages:
        - role: user
          content: 'Translate \${{ steps.summarize.output }}'
    - id: review
      needs:
        - summarize
        - translate
      prompt: '\${{ steps.summarize.output }} / \${{ steps.translate.output }} on \${{ inputs.topic }}'
  outputs:
    notes: \${{ steps.summarize.output }}
`;

describe('definition, references, rename', () => {
  let session: Session;
  let n = 0;
  beforeAll(async () => {
    session = await startSession();
  });
  afterAll(() => session.dispose());

  async function at(
    fixture: string,
  ): Promise<{ uri: string; text: string; position: { line: number; character: number } }> {
    const f = withCursor(fixture);
    const uri = `file:///w/nav${n++}.orchion.yaml`;
    await session.open(uri, f.text);
    return { uri, text: f.text, position: f.position };
  }

  test('from needs (flow and block), expressions and outputs to the step id', async () => {
    for (const fixture of [
      PIPELINE.replace('needs: [summarize]', 'needs: [summ|arize]'),
      PIPELINE.replace('- summarize\n', '- summarize|\n'),
      PIPELINE.replace('Translate ${{ steps.summarize', 'Translate ${{ steps.|summarize'),
      PIPELINE.replace('notes: ${{ steps.summarize', 'notes: ${{ steps.summa|rize'),
    ]) {
      const p = await at(fixture);
      const def = (await session.client.sendRequest('textDocument/definition', {
        textDocument: { uri: p.uri },
        position: p.position,
      })) as Location;
      expect(showRange(def.range)).toBe('7:9-7:18');
    }
  });

  test('a quoted id: the range excludes the quotes', async () => {
    const p = await at(PIPELINE.replace('steps.translate.output', 'steps.trans|late.output'));
    const def = (await session.client.sendRequest('textDocument/definition', {
      textDocument: { uri: p.uri },
      position: p.position,
    })) as Location;
    expect(showRange(def.range)).toBe('9:10-9:19');
  });

  test('inputs: definition is the key under inputs', async () => {
    const p = await at(PIPELINE.replace('About ${{ inputs.topic', 'About ${{ inputs.to|pic'));
    const def = (await session.client.sendRequest('textDocument/definition', {
      textDocument: { uri: p.uri },
      position: p.position,
    })) as Location;
    expect(showRange(def.range)).toBe('5:3-5:8');
  });

  test('references of a step, with and without the declaration', async () => {
    const p = await at(PIPELINE.replace('- id: summarize', '- id: summ|arize'));
    const refs = (includeDeclaration: boolean) =>
      session.client.sendRequest('textDocument/references', {
        textDocument: { uri: p.uri },
        position: p.position,
        context: { includeDeclaration },
      }) as Promise<Location[]>;
    expect((await refs(true)).map((l) => showRange(l.range))).toEqual([
      '7:9-7:18',
      '10:13-10:22',
      '13:39-13:48',
      '16:9-16:18',
      '18:24-18:33',
      '20:20-20:29',
    ]);
    expect(await refs(false)).toHaveLength(5);
  });

  test('rename a step everywhere (ids, needs, expressions, outputs)', async () => {
    const p = await at(PIPELINE.replace('steps.summarize.output }} /', 'steps.sum|marize.output }} /'));
    const prepared = (await session.client.sendRequest('textDocument/prepareRename', {
      textDocument: { uri: p.uri },
      position: p.position,
    })) as { range: Range; placeholder: string };
    expect(prepared.placeholder).toBe('summarize');
    const edit = (await session.client.sendRequest('textDocument/rename', {
      textDocument: { uri: p.uri },
      position: p.position,
      newName: 'digest',
    })) as WorkspaceEdit;
    const renamed = applyEdits(p.text, edit.changes![p.uri]!);
    expect(renamed).not.toContain('summarize');
    expect(renamed.match(/digest/g)).toHaveLength(6);
    // The renamed document is valid.
    const after = await session.open(`file:///w/renamed${n++}.orchion.yaml`, renamed);
    expect(after.diagnostics.filter((d) => d.severity === 1)).toEqual([]);
  });

  test('rename an input', async () => {
    const p = await at(PIPELINE.replace('  topic: {', '  to|pic: {'));
    const edit = (await session.client.sendRequest('textDocument/rename', {
      textDocument: { uri: p.uri },
      position: p.position,
      newName: 'subject',
    })) as WorkspaceEdit;
    const renamed = applyEdits(p.text, edit.changes![p.uri]!);
    expect(renamed.match(/subject/g)).toHaveLength(3);
    expect(renamed).not.toContain('topic');
  });

  test('rename validates the new name', async () => {
    const p = await at(PIPELINE.replace('- id: review', '- id: rev|iew'));
    const rename = (newName: string) =>
      session.client.sendRequest('textDocument/rename', {
        textDocument: { uri: p.uri },
        position: p.position,
        newName,
      });
    await expect(rename('Bad Name')).rejects.toThrow(/not a valid step id/);
    await expect(rename('translate')).rejects.toThrow(/a step "translate" already exists/);
    await expect(rename('ok-name')).resolves.toBeTruthy();
  });

  test('nothing to navigate on plain text', async () => {
    const p = await at(PIPELINE.replace('kind: Pipeline', 'kind: Pipe|line'));
    const params = { textDocument: { uri: p.uri }, position: p.position };
    expect(await session.client.sendRequest('textDocument/definition', params)).toBeNull();
    expect(await session.client.sendRequest('textDocument/prepareRename', params)).toBeNull();
  });
});
