import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type {
  CodeLens,
  DocumentSymbol,
  FoldingRange,
  Hover,
  SelectionRange,
  SemanticTokens,
} from 'vscode-languageserver/node';
import type { NodeView } from '@orchion/api';
import { LiveValues } from '../../src/cluster/live-values.js';
import { withCursor, yaml } from './helpers/cursor.js';
import { showRange } from './helpers/format.js';
import { startSession, type Session } from './helpers/session.js';

const PIPELINE = yaml`
  apiVersion: orchion/v1
  kind: Pipeline
  metadata:
    name: outline
  inputs:
    topic: { type: string, description: What to write about }
  defaults:
    model: qwen
    options: { temperature: 0.2 }
  steps:
    - id: draft
      description: First draft
      prompt: |-
        Write about \${{ inputs.topic }}
        in two lines
    - id: polish
      needs: [draft]
      retries: 2
      prompt: 'Polish \${{ steps.draft.output }}'
  outputs:
    text: \${{ steps.polish.output }}
`;

describe('outline, folding, selection, lenses, tokens, hover', () => {
  let session: Session;
  const uri = 'file:///w/outline.orchion.yaml';
  beforeAll(async () => {
    // A listing function stands in for the orchestrator (see the integration test for the real one).
    const live = new LiveValues({
      url: undefined,
      listNodes: async () =>
        [
          {
            hostname: 'gpu-box',
            state: 'ready',
            runtimes: ['ollama'],
            models: [
              { name: 'qwen', runtime: 'ollama', loaded: true, architecture: 'qwen2', contextLength: 4096 },
            ],
          },
        ] as unknown as NodeView[],
    });
    await live.refresh();
    session = await startSession({}, { liveValues: () => live });
    await session.open(uri, PIPELINE);
  });
  afterAll(() => session.dispose());
  const doc = { textDocument: { uri } };

  test('document symbols: sections, steps with kind and model, inputs, outputs', async () => {
    const symbols = (await session.client.sendRequest(
      'textDocument/documentSymbol',
      doc,
    )) as DocumentSymbol[];
    expect(symbols.map((s) => s.name)).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'inputs',
      'defaults',
      'steps',
      'outputs',
    ]);
    const steps = symbols.find((s) => s.name === 'steps')!;
    expect(steps.children!.map((s) => `${s.name} (${s.detail})`)).toEqual([
      'draft (prompt)',
      'polish (prompt)',
    ]);
    expect(showRange(steps.children![0]!.selectionRange)).toBe('11:9-11:14');
    expect(showRange(steps.children![0]!.range)).toBe('11:5-15:19');
    expect(symbols.find((s) => s.name === 'inputs')!.children!.map((s) => s.name)).toEqual(['topic']);
    expect(symbols.find((s) => s.name === 'outputs')!.children!.map((s) => s.name)).toEqual(['text']);
  });

  test('folding ranges for multi-line mappings, lists and block scalars', async () => {
    const ranges = (await session.client.sendRequest('textDocument/foldingRange', doc)) as FoldingRange[];
    const shown = ranges.map((r) => `${r.startLine + 1}-${r.endLine + 1}`);
    expect(shown).toEqual(
      expect.arrayContaining(['3-4', '7-9', '10-19', '11-15', '13-15', '16-19', '20-21']),
    );
  });

  test('selection ranges grow from the word to the document', async () => {
    const f = withCursor(PIPELINE.replace('retries: 2', 'retries: |2'));
    const [sel] = (await session.client.sendRequest('textDocument/selectionRange', {
      ...doc,
      positions: [f.position],
    })) as SelectionRange[];
    const chain: string[] = [];
    for (let s: SelectionRange | undefined = sel; s; s = s.parent) chain.push(showRange(s.range));
    expect(chain.slice(0, 4)).toEqual(['18:14-18:15', '18:5-18:15', '16:5-19:47', '11:3-19:47']);
    expect(chain[chain.length - 1]).toBe('1:1-22:1');
  });

  test('code lenses: Run pipeline at the top, Run from here on each step', async () => {
    const lenses = (await session.client.sendRequest('textDocument/codeLens', doc)) as CodeLens[];
    expect(
      lenses.map((l) => [l.range.start.line + 1, l.command!.title, l.command!.command, l.command!.arguments]),
    ).toEqual([
      [1, '▶ Run pipeline', 'orchion.runPipeline', [uri]],
      [11, '▶ Run from here', 'orchion.runFromStep', [uri, 'draft']],
      [16, '▶ Run from here', 'orchion.runFromStep', [uri, 'polish']],
    ]);
  });

  test('semantic tokens for ${{ … }}', async () => {
    const legend = session.initialize.capabilities.semanticTokensProvider!.legend.tokenTypes;
    const tokens = (await session.client.sendRequest(
      'textDocument/semanticTokens/full',
      doc,
    )) as SemanticTokens;
    // Decode the relative encoding.
    const decoded: string[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < tokens.data.length; i += 5) {
      const [dl, dc, len, type] = tokens.data.slice(i, i + 4) as [number, number, number, number];
      line += dl;
      char = dl === 0 ? char + dc : dc;
      decoded.push(
        `${line + 1}:${char + 1} ${PIPELINE.split('\n')[line]!.slice(char, char + len)} ${legend[type]}`,
      );
    }
    expect(decoded.slice(0, 5)).toEqual([
      '14:19 ${{ operator',
      '14:23 inputs keyword',
      '14:30 topic parameter',
      '14:36 }} operator',
      '19:21 ${{ operator',
    ]);
    expect(decoded).toContain('19:31 draft variable');
    expect(decoded).toContain('19:37 output property');
  });

  const hoverAt = async (fixture: string): Promise<Hover | null> => {
    const f = withCursor(fixture);
    return (await session.client.sendRequest('textDocument/hover', {
      ...doc,
      position: f.position,
    })) as Hover | null;
  };
  const markdown = (h: Hover | null): string => (h?.contents as { value: string }).value;

  test('hover: step summary on a reference, schema description on a key, model details, input', async () => {
    const step = markdown(await hoverAt(PIPELINE.replace('needs: [draft]', 'needs: [dr|aft]')));
    expect(step).toContain('**step `draft`** (completion)');
    expect(step).toContain('First draft');
    expect(step).toContain('- model: `qwen` (from defaults)');
    expect(step).toContain('- options: temperature=0.2');
    expect(step).toContain('- needed by: `polish`');
    expect(markdown(await hoverAt(PIPELINE.replace('retries: 2', 'ret|ries: 2')))).toMatch(
      /^\*\*retries\*\*: integer \(0–10\)\n\nHow many times/,
    );
    const model = markdown(await hoverAt(PIPELINE.replace('model: qwen', 'model: qw|en')));
    expect(model).toContain('architecture: qwen2');
    expect(model).toContain('loaded on: gpu-box');
    expect(markdown(await hoverAt(PIPELINE.replace('${{ inputs.topic', '${{ inputs.to|pic')))).toContain(
      'What to write about',
    );
    expect(await hoverAt(PIPELINE.replace('  - id: draft', '  - id: draft\n|'))).toBeNull();
  });
});
