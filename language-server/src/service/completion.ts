/**
 * Completion: keys (with snippets) from the schema, enum values, step ids in `needs`, `${{ … }}` expressions, and
 * model and runtime names from the cluster. The context comes from the text (fresh on every keystroke); step
 * ids, inputs and the graph come from the latest analysis, which may be one edit behind.
 */
import { kindKeys } from '@orchion/schemas';
import type { Analysis } from './analysis.js';
import { modelMarkdown, type ClusterInfo } from './cluster-info.js';
import { cursorContext, type CursorContext } from './cursor.js';
import {
  description,
  enumValues,
  properties,
  schemaAt,
  typeSummary,
  types,
  type Schema,
} from './schema-nav.js';
import type { CompletionEntry, CompletionResult, Range, TextLike } from './types.js';

export interface CompletionInput {
  doc: TextLike;
  offset: number;
  /** The latest analysis of the document (possibly of an earlier version). */
  analysis: Analysis | undefined;
  cluster: ClusterInfo;
}

const EMPTY: CompletionResult = { items: [], incomplete: false };

/** Long lists (step ids of a huge pipeline) are filtered by what is typed and cut; the client asks again. */
const MAX_ITEMS = 100;

function capped(items: CompletionEntry[], prefix: string): CompletionResult {
  if (items.length <= MAX_ITEMS) return { items, incomplete: false };
  const p = prefix.toLowerCase();
  const matching = p === '' ? items : items.filter((i) => i.label.toLowerCase().startsWith(p));
  return { items: matching.slice(0, MAX_ITEMS), incomplete: true };
}

export function complete(input: CompletionInput): CompletionResult {
  const text = input.doc.getText();
  const ctx = cursorContext(text, input.offset);
  const range = (start: number): Range => ({
    start: input.doc.positionAt(start),
    end: input.doc.positionAt(input.offset + wordAfter(text, input.offset)),
  });
  switch (ctx.kind) {
    case 'expression':
      return completeExpression(ctx, input, range);
    case 'key':
      return { items: completeKeys(ctx, text, range(ctx.start)), incomplete: false };
    case 'value':
      return completeValue(ctx, input, range(ctx.start));
    default:
      return EMPTY;
  }
}

function wordAfter(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && /[\w.-]/.test(text[i]!)) i++;
  return i - offset;
}

// ---- keys

function completeKeys(
  ctx: Extract<CursorContext, { kind: 'key' }>,
  text: string,
  range: Range,
): CompletionEntry[] {
  const schema = schemaAt(ctx.path);
  if (schema === undefined) return [];
  const indent = ' '.repeat(ctx.column);
  if (types(schema).includes('array') && !ctx.newItem) {
    // Under `steps:` (or `messages:`) without a `- ` yet: offer a whole item.
    const item = itemSnippet(ctx.path[ctx.path.length - 1], indent);
    return item
      ? [
          {
            label: item.label,
            kind: 'snippet',
            insertText: item.body,
            snippet: true,
            range,
            detail: item.detail,
          },
        ]
      : [];
  }
  const out: CompletionEntry[] = [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [name, prop] of properties(schema)) {
    if (ctx.siblings.has(name)) continue;
    out.push({
      label: name,
      kind: 'property',
      detail: typeSummary(prop),
      ...(description(prop) ? { documentation: description(prop)! } : {}),
      insertText: keySnippet(name, prop, indent, text),
      snippet: true,
      range,
      sortText: `${required.has(name) ? '0' : '1'}${String(out.length).padStart(3, '0')}`,
    });
  }
  if (ctx.path.length === 0 && ctx.siblings.size === 0) {
    out.unshift({
      label: 'pipeline',
      kind: 'snippet',
      detail: 'a whole pipeline',
      insertText: PIPELINE_SNIPPET,
      snippet: true,
      range,
      sortText: '0000',
    });
  }
  return out;
}

const PIPELINE_SNIPPET = [
  'apiVersion: orchion/v1',
  'kind: Pipeline',
  'metadata:',
  '  name: ${1:my-pipeline}',
  'steps:',
  '  - id: ${2:first}',
  '    prompt: ${0}',
].join('\n');

function itemSnippet(
  list: unknown,
  indent: string,
): { label: string; body: string; detail: string } | undefined {
  if (list === 'steps')
    return {
      label: '- id: (new step)',
      body: `- id: \${1:step}\n${indent}  prompt: \${0}`,
      detail: 'a new step',
    };
  if (list === 'messages')
    return {
      label: '- role: user (new message)',
      body: `- role: \${1|user,system,assistant|}\n${indent}  content: \${0}`,
      detail: 'a new chat message',
    };
  return undefined;
}

/** `key: …` with a placeholder shaped by the property's schema. */
function keySnippet(name: string, prop: Schema, indent: string, _text: string): string {
  const values = enumValues(prop);
  if (values && values.length > 0) {
    if (values.length === 1) return `${name}: ${String(values[0])}`;
    return `${name}: \${1|${values.map((v) => String(v).replace(/[,|]/g, '\\$&')).join(',')}|}`;
  }
  if (name === 'needs') return 'needs: [${1}]';
  if (name === 'prompt') return `prompt: |\n${indent}  \${0}`;
  if (name === 'steps') return `steps:\n${indent}  - id: \${1:step}\n${indent}    prompt: \${0}`;
  if (name === 'messages')
    return `messages:\n${indent}  - role: \${1|user,system|}\n${indent}    content: \${0}`;
  const t = types(prop);
  if (t.length === 1 && t[0] === 'object') return `${name}:\n${indent}  \${0}`;
  if (t.length === 1 && t[0] === 'array') return `${name}:\n${indent}  - \${0}`;
  if (t.length === 1 && t[0] === 'boolean') return `${name}: \${1|true,false|}`;
  return `${name}: \${0}`;
}

// ---- values

function completeValue(
  ctx: Extract<CursorContext, { kind: 'value' }>,
  input: CompletionInput,
  range: Range,
): CompletionResult {
  const field = ctx.path[ctx.path.length - 1] === ctx.key ? ctx.path : [...ctx.path, ctx.key];
  if (ctx.key === 'needs' && ctx.step) return needCandidates(ctx.step.id, input.analysis, range, ctx.prefix);
  if (ctx.key === 'model' || ctx.key === 'runtime') return liveValues(ctx.key, input.cluster, range);
  const schema = schemaAt(ctx.listItem ? [...field, 0] : field);
  if (schema === undefined) return EMPTY;
  const values = enumValues(schema) ?? (types(schema).includes('boolean') ? [true, false] : []);
  return {
    items: values.map((v, i) => ({
      label: String(v),
      kind: 'enum' as const,
      ...(description(schema) ? { documentation: description(schema)! } : {}),
      range,
      sortText: String(i).padStart(3, '0'),
    })),
    incomplete: false,
  };
}

/**
 * Steps `current` may need: not itself, not already needed, not downstream of it (that would be a cycle); as
 * `capped` would cut them, but without building the entries it drops (a huge pipeline has thousands).
 */
function needCandidates(
  current: string | undefined,
  analysis: Analysis | undefined,
  range: Range,
  prefix: string,
): CompletionResult {
  if (analysis === undefined) return EMPTY;
  const step = current === undefined ? undefined : analysis.raw.stepsById.get(current);
  const already = new Set(step?.needs.map((n) => n.id) ?? []);
  const downstream =
    current !== undefined && analysis.graph.has(current)
      ? analysis.graph.downstreamOf(current)
      : new Set<string>();
  const ids: string[] = [];
  for (const id of analysis.raw.stepsById.keys()) {
    if (id !== current && !already.has(id) && !downstream.has(id)) ids.push(id);
  }
  const entry = (id: string, index: number): CompletionEntry => ({
    label: id,
    kind: 'step',
    detail: stepDetail(analysis, id),
    range,
    sortText: String(index).padStart(6, '0'),
  });
  if (ids.length <= MAX_ITEMS) return { items: ids.map(entry), incomplete: false };
  const p = prefix.toLowerCase();
  const items: CompletionEntry[] = [];
  for (let i = 0; i < ids.length && items.length < MAX_ITEMS; i++) {
    if (p === '' || ids[i]!.toLowerCase().startsWith(p)) items.push(entry(ids[i]!, i));
  }
  return { items, incomplete: true };
}

function stepDetail(analysis: Analysis, id: string): string {
  const step = analysis.raw.stepsById.get(id);
  if (!step) return 'step';
  const kind = kindKeys(step)[0];
  const model = typeof step.data.model === 'string' ? ` · ${step.data.model}` : '';
  return `step${kind ? ` (${kind})` : ''}${model}`;
}

const BUILT_IN_RUNTIMES = ['embedded', 'echo'];

function liveValues(key: 'model' | 'runtime', cluster: ClusterInfo, range: Range): CompletionResult {
  const items: CompletionEntry[] = [];
  const live = cluster.status === 'live';
  if (key === 'model') {
    for (const m of cluster.models.values()) {
      items.push({
        label: m.name,
        kind: 'model',
        detail: `${m.runtimes.join(', ')} on ${m.nodes.length} node${m.nodes.length === 1 ? '' : 's'}${m.loadedOn.length ? ' · loaded' : ''}`,
        documentation: modelMarkdown(m),
        range,
      });
    }
    if (!cluster.models.has('orchion-tiny'))
      items.push({
        label: 'orchion-tiny',
        kind: 'model',
        detail: 'the built-in tiny test model',
        range,
        sortText: 'z',
      });
  } else {
    for (const r of cluster.runtimes)
      items.push({ label: r, kind: 'runtime', detail: 'runtime in the cluster', range });
    for (const r of BUILT_IN_RUNTIMES)
      if (!cluster.runtimes.has(r))
        items.push({ label: r, kind: 'runtime', detail: 'built-in runtime', range, sortText: 'z' });
  }
  if (!live) {
    // Say so instead of pretending the list is complete: a later request may know more.
    const why =
      cluster.status === 'unconfigured'
        ? 'no orchestrator configured (orchion.url)'
        : cluster.status === 'pending'
          ? 'asking the orchestrator…'
          : `orchestrator unreachable${cluster.error ? `: ${cluster.error}` : ''}`;
    for (const item of items) item.detail = `${item.detail ?? ''} — list incomplete: ${why}`;
  }
  return { items, incomplete: !live };
}

// ---- expressions

function completeExpression(
  ctx: Extract<CursorContext, { kind: 'expression' }>,
  input: CompletionInput,
  range: (start: number) => Range,
): CompletionResult {
  const body = ctx.body.trimStart();
  if (!/^[\w.-]*$/.test(body)) return EMPTY;
  const segments = body.split('.');
  const prefix = segments.pop()!;
  const r = range(input.offset - prefix.length);
  const close = ctx.closed ? '' : ' }}';
  const a = input.analysis;
  const items: CompletionEntry[] = [];
  const add = (
    label: string,
    kind: CompletionEntry['kind'],
    detail: string,
    final: boolean,
    doc?: string,
  ): void => {
    items.push({
      label,
      kind,
      detail,
      range: r,
      insertText: final ? label + close : label,
      ...(doc ? { documentation: doc } : {}),
    });
  };
  const [root, name, field] = segments;
  if (segments.length === 0) {
    add('inputs', 'keyword', 'pipeline inputs', false);
    if (ctx.path[0] === 'steps' || ctx.path[0] === 'outputs')
      add('steps', 'keyword', 'outputs of upstream steps', false);
  } else if (root === 'inputs' && segments.length === 1 && a) {
    for (const [inputName, spec] of a.raw.inputs) {
      const type = typeof spec?.type === 'string' ? spec.type : 'input';
      add(
        inputName,
        'input',
        type,
        true,
        typeof spec?.description === 'string' ? spec.description : undefined,
      );
    }
  } else if (root === 'steps' && segments.length === 1 && a) {
    const current = ctx.step?.id;
    const inStep = ctx.path[0] === 'steps';
    const upstream = current !== undefined && a.graph.has(current) ? a.graph.upstreamOf(current) : undefined;
    for (const id of a.raw.stepsById.keys()) {
      if (inStep && (id === current || (upstream !== undefined && !upstream.has(id)))) continue;
      add(id, 'step', stepDetail(a, id), false);
    }
  } else if (root === 'steps' && segments.length === 2 && a && name !== undefined) {
    const step = a.raw.stepsById.get(name);
    add('output', 'field', 'the step output (text, or the parsed JSON with output.schema)', true);
    if (step?.outputSchema) add('outputs', 'field', 'fields of the structured output', false);
  } else if (root === 'steps' && segments.length === 3 && field === 'outputs' && a && name !== undefined) {
    const props = a.raw.stepsById.get(name)?.outputSchema?.properties;
    if (props && typeof props === 'object') {
      for (const [p, s] of Object.entries(props as Record<string, Schema>))
        add(p, 'field', typeSummary(s ?? {}), true, description(s));
    }
  }
  return capped(items, prefix);
}
