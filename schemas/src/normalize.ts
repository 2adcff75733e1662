/**
 * Builds the typed `Pipeline` from data that passed every check: applies `defaults` and built-in defaults,
 * converts timeouts to milliseconds and gives every optional collection a value.
 */
import { effectiveInputType } from './check-values.js';
import { parseDuration } from './duration.js';
import {
  API_VERSION,
  DEFAULT_MODEL,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  type ChatMessage,
  type GenerationOptions,
  type InputSpec,
  type OutputSchema,
  type Pipeline,
  type Resources,
  type Step,
} from './pipeline.js';
import { isPlainObject, setOwn } from './values.js';

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return isPlainObject(value) ? value : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function withOptional<T extends object, K extends string, V>(target: T, key: K, value: V | undefined): T {
  if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  return target;
}

function stringLabels(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(value))) setOwn(out, k, String(v));
  return out;
}

function mergeLabels(...sources: unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of sources) for (const [k, v] of Object.entries(stringLabels(source))) setOwn(out, k, v);
  return out;
}

function normalizeOptions(defaults: unknown, own: unknown): GenerationOptions {
  const merged = { ...obj(defaults), ...obj(own) };
  const options: GenerationOptions = {};
  for (const key of ['temperature', 'max_tokens', 'top_p', 'seed'] as const) {
    if (typeof merged[key] === 'number') options[key] = merged[key];
  }
  if (typeof merged.stop === 'string') options.stop = [merged.stop];
  else if (Array.isArray(merged.stop))
    options.stop = merged.stop.filter((s): s is string => typeof s === 'string');
  return options;
}

function normalizeResources(defaults: unknown, own: unknown): Resources {
  const d = obj(defaults);
  const o = obj(own);
  const gpu = o.gpu ?? d.gpu;
  const resources: Resources = {
    gpu: gpu === true ? 1 : typeof gpu === 'number' ? gpu : 0,
    labels: mergeLabels(d.labels, o.labels),
  };
  const vram = o.min_vram_gb ?? d.min_vram_gb;
  if (typeof vram === 'number') resources.min_vram_gb = vram;
  return resources;
}

function normalizeInput(spec: Obj): InputSpec {
  const input: InputSpec = {
    type: effectiveInputType(spec),
    required: typeof spec.required === 'boolean' ? spec.required : spec.default === undefined,
  };
  if (spec.default !== undefined) input.default = spec.default;
  withOptional(input, 'description', str(spec.description));
  if (Array.isArray(spec.enum)) input.enum = [...(spec.enum as unknown[])];
  return input;
}

function normalizeNeeds(needs: unknown): string[] {
  const list = typeof needs === 'string' ? [needs] : Array.isArray(needs) ? needs : [];
  return [...new Set(list.filter((n): n is string => typeof n === 'string'))];
}

function normalizeStep(raw: Obj, defaults: Obj): Step {
  const base = {
    id: String(raw.id),
    needs: normalizeNeeds(raw.needs),
    model: str(raw.model) ?? str(defaults.model) ?? DEFAULT_MODEL,
    ...optionalRuntime(str(raw.runtime) ?? str(defaults.runtime)),
    resources: normalizeResources(defaults.resources, raw.resources),
    retries:
      typeof raw.retries === 'number'
        ? raw.retries
        : typeof defaults.retries === 'number'
          ? defaults.retries
          : DEFAULT_RETRIES,
    timeout_ms: parseDuration(raw.timeout) ?? parseDuration(defaults.timeout) ?? DEFAULT_TIMEOUT_MS,
  };
  withOptional(base, 'description', str(raw.description));
  const output = isPlainObject(raw.output) ? { schema: obj(raw.output.schema) as OutputSchema } : undefined;
  const options = () => normalizeOptions(defaults.options, raw.options);
  if (typeof raw.prompt === 'string') {
    return withOptional(
      { ...base, kind: 'completion', prompt: raw.prompt, options: options() },
      'output',
      output,
    );
  }
  if (Array.isArray(raw.messages)) {
    const messages = raw.messages.map((m) => ({ role: obj(m).role, content: obj(m).content }) as ChatMessage);
    return withOptional({ ...base, kind: 'chat', messages, options: options() }, 'output', output);
  }
  const embed = Array.isArray(raw.embed) ? raw.embed.map(String) : String(raw.embed);
  return { ...base, kind: 'embedding', embed };
}

/** The typed pipeline; only meaningful for data with no error diagnostics. */
export function normalizePipeline(data: unknown): Pipeline {
  const root = obj(data);
  const metadata = obj(root.metadata);
  const defaults = obj(root.defaults);
  const inputs: Record<string, InputSpec> = {};
  for (const [name, spec] of Object.entries(obj(root.inputs)))
    setOwn(inputs, name, normalizeInput(obj(spec)));
  const outputs: Record<string, string> = {};
  for (const [name, template] of Object.entries(obj(root.outputs))) setOwn(outputs, name, String(template));
  const meta: Pipeline['metadata'] = { name: String(metadata.name), labels: stringLabels(metadata.labels) };
  withOptional(meta, 'description', str(metadata.description));
  return {
    apiVersion: API_VERSION,
    kind: 'Pipeline',
    metadata: meta,
    inputs,
    steps: (Array.isArray(root.steps) ? root.steps : []).map((s) => normalizeStep(obj(s), defaults)),
    outputs,
  };
}

/** No runtime named: the step runs on whichever runtime of a node serves its model. */
function optionalRuntime(runtime: string | undefined): { runtime?: string } {
  return runtime === undefined ? {} : { runtime };
}
