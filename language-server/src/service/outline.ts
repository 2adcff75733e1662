/** The document outline (top-level sections, steps, inputs, outputs) and the code lenses that run it. */
import { kindKeys, type JsonPath, type SourceDocument } from '@orchion/schemas';
import type { Analysis } from './analysis.js';
import type { CodeLensResult, Range, SymbolKind, SymbolNode } from './types.js';

function whole(source: SourceDocument, path: JsonPath): Range {
  const loc = source.locate(path);
  const keyStart = loc?.key?.range?.[0];
  const node = loc?.written ?? loc?.node;
  const end = node?.range?.[1] ?? loc?.key?.range?.[1] ?? 0;
  const start = keyStart ?? node?.range?.[0] ?? 0;
  let trimmed = end;
  while (trimmed > start && /\s/.test(source.text[trimmed - 1] ?? '')) trimmed--;
  return source.range(start, trimmed);
}

export function documentSymbols(analysis: Analysis): SymbolNode[] {
  const { source, raw } = analysis;
  if (source === undefined) return [];
  const out: SymbolNode[] = [];
  const section = (name: string, kind: SymbolKind, children: SymbolNode[] = [], detail?: string): void => {
    const range = whole(source, [name]);
    out.push({
      name,
      kind,
      range,
      selectionRange: source.keyRange([name]),
      children,
      ...(detail ? { detail } : {}),
    });
  };
  for (const key of Object.keys(raw.root)) {
    if (key === 'steps') {
      const steps = raw.steps.map((step): SymbolNode => {
        const kind = kindKeys(step)[0];
        const model = typeof step.data.model === 'string' ? step.data.model : undefined;
        return {
          name: step.id ?? `steps[${step.index}]`,
          kind: 'step',
          detail: [kind, model].filter(Boolean).join(' · '),
          range: whole(source, step.path),
          selectionRange:
            step.id !== undefined ? source.valueRange([...step.path, 'id']) : source.anchorRange(step.path),
          children: [],
        };
      });
      section('steps', 'steps', steps, `${steps.length} step${steps.length === 1 ? '' : 's'}`);
    } else if (key === 'inputs') {
      const inputs = [...raw.inputs].map(([name, spec]): SymbolNode => ({
        name,
        kind: 'input',
        detail: typeof spec?.type === 'string' ? spec.type : '',
        range: whole(source, ['inputs', name]),
        selectionRange: source.keyRange(['inputs', name]),
        children: [],
      }));
      section('inputs', 'inputs', inputs);
    } else if (key === 'outputs' && raw.root.outputs && typeof raw.root.outputs === 'object') {
      const outputs = Object.keys(raw.root.outputs).map((name): SymbolNode => ({
        name,
        kind: 'output',
        range: whole(source, ['outputs', name]),
        selectionRange: source.keyRange(['outputs', name]),
        children: [],
      }));
      section('outputs', 'outputs', outputs);
    } else {
      section(key, 'section');
    }
  }
  return out;
}

/** "Run pipeline" on the first line; "Run from here" on each step with an id. */
export function codeLenses(analysis: Analysis): CodeLensResult[] {
  const { source, raw } = analysis;
  if (source === undefined || raw.steps.length === 0) return [];
  const first = source.anchorRange([]);
  const out: CodeLensResult[] = [
    {
      range: { start: first.start, end: first.start },
      title: '▶ Run pipeline',
      command: 'orchion.runPipeline',
    },
  ];
  for (const step of raw.steps) {
    if (step.id === undefined) continue;
    const at = source.anchorRange(step.path);
    out.push({
      range: { start: at.start, end: at.start },
      title: '▶ Run from here',
      command: 'orchion.runFromStep',
      stepId: step.id,
    });
  }
  return out;
}
