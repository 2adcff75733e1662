/** The typed, normalised pipeline that `parsePipeline` returns when a file has no errors. */

export const API_VERSION = 'orchion/v1';
export const DEFAULT_MODEL = 'orchion-tiny';
export const DEFAULT_RETRIES = 0;
export const MAX_RETRIES = 10;
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const MAX_TIMEOUT_MS = 24 * 3_600_000;

export type InputType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
export const INPUT_TYPES: readonly InputType[] = [
  'string',
  'number',
  'integer',
  'boolean',
  'object',
  'array',
];

export interface InputSpec {
  /** Declared, else inferred from `default`, else `string`. */
  type: InputType;
  /** Declared, else `true` exactly when there is no default. */
  required: boolean;
  default?: unknown;
  description?: string;
  enum?: unknown[];
}

export interface GenerationOptions {
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  seed?: number;
  /** Always a list once normalised. */
  stop?: string[];
}

export interface Resources {
  /** Number of GPUs needed: `true` becomes 1, `false` 0 (no requirement). */
  gpu: number;
  min_vram_gb?: number;
  /** Label values are strings once normalised (`zone: 1` becomes `"1"`). */
  labels: Record<string, string>;
}

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** A JSON Schema for structured output (the subset the pipeline schema's `outputSchema` allows). */
export type OutputSchema = Record<string, unknown>;

export type StepKind = 'completion' | 'chat' | 'embedding';

interface StepBase {
  id: string;
  kind: StepKind;
  description?: string;
  /** Direct dependencies, without duplicates. */
  needs: string[];
  model: string;
  /** Unset: any runtime of the node that serves the model. */
  runtime?: string;
  resources: Resources;
  retries: number;
  /** Maximum duration of one attempt, in milliseconds. */
  timeout_ms: number;
}

export interface CompletionStep extends StepBase {
  kind: 'completion';
  prompt: string;
  options: GenerationOptions;
  output?: { schema: OutputSchema };
}

export interface ChatStep extends StepBase {
  kind: 'chat';
  messages: ChatMessage[];
  options: GenerationOptions;
  output?: { schema: OutputSchema };
}

export interface EmbeddingStep extends StepBase {
  kind: 'embedding';
  /** One text (one vector out) or a list (a list of vectors out). */
  embed: string | string[];
}

export type Step = CompletionStep | ChatStep | EmbeddingStep;

export interface Pipeline {
  apiVersion: typeof API_VERSION;
  kind: 'Pipeline';
  metadata: { name: string; description?: string; labels: Record<string, string> };
  inputs: Record<string, InputSpec>;
  /** In declaration order; step settings already merged over `defaults`. */
  steps: Step[];
  /** Output name → template. */
  outputs: Record<string, string>;
}
