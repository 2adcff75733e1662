import { describe, expect, test } from 'vitest';
import { analyze } from '../../src/service/analysis.js';
import { clusterFromNodes, unknownCluster, type ClusterInfo } from '../../src/service/cluster-info.js';
import { complete } from '../../src/service/completion.js';
import type { NodeView } from '@orchion/api';
import { withCursor, yaml } from './helpers/cursor.js';
import { startSession } from './helpers/session.js';

function completion(fixture: string, cluster: ClusterInfo = unknownCluster('unconfigured')) {
  const f = withCursor(fixture);
  return complete({ doc: f.doc, offset: f.offset, analysis: analyze(f.text), cluster });
}

const labels = (fixture: string, cluster?: ClusterInfo): string[] =>
  completion(fixture, cluster).items.map((i) => i.label);

const PIPELINE = yaml`
  apiVersion: orchion/v1
  kind: Pipeline
  metadata:
    name: demo
  inputs:
    topic: { type: string }
    count: { type: integer, default: 3 }
  steps:
    - id: extract
      prompt: 'facts about \${{ inputs.topic }}'
      output:
        schema:
          type: object
          properties:
            facts: { type: array }
            title: { type: string }
    - id: write
      needs: [extract]
      prompt: 'write \${{ steps.extract.output }}'
    - id: polish
      needs: [write]
      prompt: 'polish \${{ steps.write.output }}'
    - id: side
      prompt: 'side'
`;

/** PIPELINE with `|`-marked text inserted after the line holding `anchor`. */
function inPipeline(anchor: string, inserted: string): string {
  const lines = PIPELINE.split('\n');
  const i = lines.findIndex((l) => l.includes(anchor));
  lines.splice(i + 1, 0, inserted);
  return lines.join('\n');
}

describe('completion: keys', () => {
  test('an empty document offers a whole pipeline, then the top-level keys', () => {
    const items = completion('|').items;
    expect(items[0]!.label).toBe('pipeline');
    expect(items[0]!.insertText).toContain('apiVersion: orchion/v1');
    expect(items.map((i) => i.label)).toEqual(
      expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'inputs', 'defaults', 'steps', 'outputs']),
    );
  });

  test('top-level keys already present are not offered again', () => {
    const got = labels(PIPELINE + 'out|');
    expect(got).toEqual(expect.arrayContaining(['defaults', 'outputs']));
    expect(got).not.toContain('steps');
    expect(got).not.toContain('apiVersion');
  });

  test('step keys, with snippets, minus those the step has', () => {
    const items = completion(inPipeline("prompt: 'side'", '    mo|')).items;
    const names = items.map((i) => i.label);
    expect(names).toEqual(
      expect.arrayContaining(['model', 'runtime', 'needs', 'options', 'retries', 'timeout']),
    );
    expect(names).not.toContain('id');
    expect(names).not.toContain('prompt');
    expect(items.find((i) => i.label === 'needs')!.insertText).toBe('needs: [${1}]');
    expect(items.find((i) => i.label === 'options')!.insertText).toBe('options:\n      ${0}');
    expect(items.find((i) => i.label === 'model')!.documentation).toMatch(/Model to run/);
    // The replaced range is the word typed so far.
    const range = items[0]!.range;
    expect(range.end.character - range.start.character).toBe(2);
  });

  test('keys of a nested mapping (options) and of a new list item', () => {
    expect(labels(inPipeline("prompt: 'side'", '    options:\n      |'))).toEqual(
      expect.arrayContaining(['temperature', 'max_tokens', 'top_p', 'seed', 'stop']),
    );
    const item = labels(inPipeline("prompt: 'side'", '  - |'));
    expect(item).toEqual(expect.arrayContaining(['id', 'prompt', 'messages', 'embed', 'needs']));
  });

  test('under steps without a dash: a new step snippet', () => {
    const items = completion(inPipeline("prompt: 'side'", '  |')).items;
    expect(items.map((i) => i.label)).toEqual(['- id: (new step)']);
  });

  test('no key completion inside a block scalar', () => {
    const text = yaml`
      apiVersion: orchion/v1
      kind: Pipeline
      steps:
        - id: a
          prompt: |-
            Write a po|
    `;
    expect(labels(text)).toEqual([]);
  });
});

describe('completion: values', () => {
  test('enum values', () => {
    expect(labels('apiVersion: orchion/v1\nkind: |')).toEqual(['Pipeline']);
    expect(labels(inPipeline('inputs:', '  lang:\n    type: |'))).toEqual([
      'string',
      'number',
      'integer',
      'boolean',
      'object',
      'array',
    ]);
    const chat = yaml`
      steps:
        - id: c
          messages:
            - role: |
    `;
    expect(labels(chat)).toEqual(['system', 'user', 'assistant']);
    expect(labels(inPipeline("prompt: 'side'", '    resources:\n      gpu: |'))).toEqual(['true', 'false']);
  });

  test('needs (flow list): steps that are neither the step itself, already needed, nor downstream', () => {
    const text = PIPELINE.replace('needs: [extract]', 'needs: [extract, |]');
    // write needs extract already; polish depends on write (a cycle); side is free.
    expect(labels(text)).toEqual(['side']);
    expect(labels(inPipeline("prompt: 'side'", '    needs: [|]'))).toEqual(['extract', 'write', 'polish']);
  });

  test('needs (block list) and needs as a plain value', () => {
    expect(labels(inPipeline("prompt: 'side'", '    needs:\n      - |'))).toEqual([
      'extract',
      'write',
      'polish',
    ]);
    expect(labels(inPipeline("prompt: 'side'", '    needs: w|'))).toEqual(['extract', 'write', 'polish']);
  });

  test('models and runtimes from the cluster; offline says the list is incomplete', () => {
    const cluster = clusterFromNodes([
      {
        hostname: 'box',
        state: 'ready',
        runtimes: ['embedded', 'ollama'],
        models: [
          { name: 'qwen2.5-0.5b', runtime: 'ollama', loaded: true, contextLength: 32768 },
          { name: 'orchion-tiny', runtime: 'embedded', loaded: false },
        ],
      } as unknown as NodeView,
    ]);
    const live = completion(inPipeline("prompt: 'side'", '    model: |'), cluster);
    expect(live.incomplete).toBe(false);
    expect(live.items.map((i) => i.label)).toEqual(['qwen2.5-0.5b', 'orchion-tiny']);
    expect(live.items[0]!.documentation).toContain('context length: 32768');
    expect(labels(inPipeline("prompt: 'side'", '    runtime: |'), cluster)).toEqual([
      'embedded',
      'ollama',
      'echo',
    ]);

    const offline = completion(
      inPipeline("prompt: 'side'", '    model: |'),
      unknownCluster('offline', 'ECONNREFUSED'),
    );
    expect(offline.incomplete).toBe(true);
    expect(offline.items.map((i) => i.label)).toEqual(['orchion-tiny']);
    expect(offline.items[0]!.detail).toMatch(/list incomplete: orchestrator unreachable: ECONNREFUSED/);
  });
});

describe('completion: expressions', () => {
  const inPrompt = (step: string, body: string): string =>
    PIPELINE.replace(new RegExp(`(- id: ${step}\\n(?:.*\\n)*?\\s+prompt: ')[^']*'`), `$1${body}'`);

  test('roots, inputs and steps', () => {
    expect(labels(inPrompt('polish', '${{ |'))).toEqual(['inputs', 'steps']);
    expect(labels(inPrompt('polish', '${{ inputs.|'))).toEqual(['topic', 'count']);
    // Only upstream steps of polish (write, and extract through write).
    expect(labels(inPrompt('polish', '${{ steps.|'))).toEqual(['extract', 'write']);
    expect(labels(inPrompt('side', '${{ steps.|'))).toEqual([]);
  });

  test('outputs and structured output fields', () => {
    expect(labels(inPrompt('write', '${{ steps.extract.|'))).toEqual(['output', 'outputs']);
    expect(labels(inPrompt('polish', '${{ steps.write.|'))).toEqual(['output']);
    expect(labels(inPrompt('write', '${{ steps.extract.outputs.|'))).toEqual(['facts', 'title']);
  });

  test('an unclosed expression gets its closing braces; a closed one does not', () => {
    const open = completion(inPrompt('polish', '${{ inputs.to|')).items[0]!;
    expect(open.insertText).toBe('topic }}');
    const closed = completion(inPrompt('polish', '${{ inputs.to| }}')).items[0]!;
    expect(closed.insertText).toBe('topic');
  });

  test('pipeline outputs may use any step', () => {
    expect(labels(PIPELINE + 'outputs:\n  all: ${{ steps.|')).toEqual(['extract', 'write', 'polish', 'side']);
  });
});

describe('completion over LSP', () => {
  test('items carry text edits and snippet formats', async () => {
    const session = await startSession();
    const f = withCursor(inPipeline("prompt: 'side'", '    ret|'));
    await session.open('file:///w/c.orchion.yaml', f.text);
    const list = (await session.client.sendRequest('textDocument/completion', {
      textDocument: { uri: 'file:///w/c.orchion.yaml' },
      position: f.position,
    })) as {
      isIncomplete: boolean;
      items: { label: string; insertTextFormat: number; textEdit: { newText: string } }[];
    };
    const retries = list.items.find((i) => i.label === 'retries')!;
    expect(retries.insertTextFormat).toBe(2);
    expect(retries.textEdit.newText).toBe('retries: ${0}');
    await session.dispose();
  });
});

describe('completion: long lists', () => {
  test('step ids of a huge pipeline are filtered by the typed prefix, cut, and marked incomplete', () => {
    const steps = Array.from({ length: 300 }, (_, i) => `  - id: s${i}\n    prompt: p`).join('\n');
    const text = `apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: big }\nsteps:\n${steps}\n  - id: last\n    needs: [s12|]\n    prompt: p\n`;
    const result = completion(text);
    expect(result.incomplete).toBe(true);
    expect(result.items.length).toBeLessThanOrEqual(100);
    // s12 itself is already listed (the text under the cursor parses as needs: [s12]).
    expect(result.items.map((i) => i.label)).toEqual([
      's120',
      's121',
      's122',
      's123',
      's124',
      's125',
      's126',
      's127',
      's128',
      's129',
    ]);
    // Sorted by place in the whole candidate list (s0…s299 without s12 itself), not in the cut one.
    expect(result.items[0]!.sortText).toBe('000119');
    const all = completion(text.replace('needs: [s12|]', 'needs: [|]'));
    expect(all.incomplete).toBe(true);
    expect(all.items).toHaveLength(100);
  });
});
