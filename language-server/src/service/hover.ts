/** Hover: steps (summary), inputs, models (from the cluster), expressions, and schema descriptions of keys. */
import { isScalar } from 'yaml';
import { isPlainObject, kindKeys, type RawStep } from '@orchion/schemas';
import type { Analysis } from './analysis.js';
import { nodeAt } from './ast.js';
import { modelMarkdown, type ClusterInfo } from './cluster-info.js';
import { description, schemaAt, typeSummary } from './schema-nav.js';
import type { HoverResult } from './types.js';

export function hover(analysis: Analysis, offset: number, cluster: ClusterInfo): HoverResult | undefined {
  const source = analysis.source;
  if (source === undefined) return undefined;
  const name = analysis.names.at(offset);
  if (name) {
    const contents =
      name.kind === 'step' ? stepSummary(analysis, name.name) : inputSummary(analysis, name.name);
    if (contents) return { contents, range: name.range };
  }
  const ref = analysis.result.references.find((r) => r.start <= offset && offset < r.end);
  if (ref) {
    const target =
      ref.path?.[0] === 'steps'
        ? `output of step \`${ref.path[1] ?? '?'}\``
        : ref.path?.[0] === 'inputs'
          ? `input \`${ref.path[1] ?? '?'}\``
          : 'expression';
    return {
      contents: `\`\${{ ${ref.expression} }}\` — ${target}, substituted when the step runs`,
      range: ref.fullRange,
    };
  }
  const hit = nodeAt(source, offset);
  // Keys and scalar values only: hovering blank space inside a mapping says nothing.
  if (!isScalar(hit.node) || !hit.node.range) return undefined;
  const range = source.nodeRange(hit.node);
  const key = hit.path[hit.path.length - 1];
  if (!hit.onKey && key === 'model' && isScalar(hit.node) && typeof hit.node.value === 'string') {
    return { contents: modelHover(hit.node.value, cluster), range };
  }
  const schema = schemaAt(hit.path.map((s) => (typeof s === 'number' ? 0 : s)));
  const text = description(schema);
  if (schema === undefined || text === undefined) return undefined;
  const title = typeof key === 'string' ? `**${key}**: ${typeSummary(schema)}` : typeSummary(schema);
  return { contents: `${title}\n\n${text}`, range };
}

function modelHover(name: string, cluster: ClusterInfo): string {
  const m = cluster.models.get(name);
  if (m) return modelMarkdown(m);
  if (cluster.status === 'live') return `**${name}**\n\nNo node of the cluster serves this model.`;
  const why =
    cluster.status === 'unconfigured'
      ? 'no orchestrator configured'
      : cluster.status === 'pending'
        ? 'asking the orchestrator…'
        : 'orchestrator unreachable';
  return `**${name}**\n\nModel details unavailable (${why}).`;
}

export function stepSummary(analysis: Analysis, id: string): string | undefined {
  const step = analysis.raw.stepsById.get(id);
  if (step === undefined) return undefined;
  const defaults = isPlainObject(analysis.raw.root.defaults) ? analysis.raw.root.defaults : {};
  const kind = kindKeys(step)[0];
  const kindName =
    kind === 'prompt' ? 'completion' : kind === 'messages' ? 'chat' : kind === 'embed' ? 'embedding' : 'step';
  const lines = [`**step \`${id}\`** (${kindName})`];
  if (typeof step.data.description === 'string') lines.push('', step.data.description);
  lines.push('');
  lines.push(`- model: ${setting(step, defaults, 'model') ?? '`orchion-tiny` (default)'}`);
  const runtime = setting(step, defaults, 'runtime');
  if (runtime) lines.push(`- runtime: ${runtime}`);
  const needs = step.needs.map((n) => `\`${n.id}\``);
  lines.push(`- needs: ${needs.length ? needs.join(', ') : '—'}`);
  const options = {
    ...(isPlainObject(defaults.options) ? defaults.options : {}),
    ...(isPlainObject(step.data.options) ? step.data.options : {}),
  };
  const shown = Object.entries(options).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  if (shown.length) lines.push(`- options: ${shown.join(', ')}`);
  for (const key of ['retries', 'timeout'] as const) {
    const v = setting(step, defaults, key);
    if (v) lines.push(`- ${key}: ${v}`);
  }
  if (step.outputSchema) lines.push('- structured output (output.schema)');
  const dependents = analysis.graph.has(id) ? analysis.graph.dependents(id) : [];
  if (dependents.length) lines.push(`- needed by: ${dependents.map((d) => `\`${d}\``).join(', ')}`);
  return lines.join('\n');
}

function setting(step: RawStep, defaults: Record<string, unknown>, key: string): string | undefined {
  const own = step.data[key];
  if (own !== undefined) return `\`${String(own)}\``;
  const inherited = defaults[key];
  return inherited !== undefined ? `\`${String(inherited)}\` (from defaults)` : undefined;
}

function inputSummary(analysis: Analysis, name: string): string | undefined {
  if (!analysis.raw.inputs.has(name)) return undefined;
  const spec = analysis.raw.inputs.get(name) ?? {};
  const lines = [`**input \`${name}\`**${typeof spec.type === 'string' ? `: ${spec.type}` : ''}`];
  if (typeof spec.description === 'string') lines.push('', spec.description);
  if (spec.default !== undefined) lines.push('', `default: \`${JSON.stringify(spec.default)}\``);
  if (spec.required === true || (spec.required === undefined && spec.default === undefined))
    lines.push('', 'required');
  return lines.join('\n');
}
