/**
 * The one interface every runtime implements (echo, embedded llama.cpp, later external servers). The task
 * executor and the gateway talk only to this.
 *
 * Abort contract: aborting `signal` stops a generation promptly and RESOLVES with `stopReason: 'aborted'` and the
 * text produced so far (possibly empty, also when the signal was aborted before the call). `embed` has no partial
 * result: it REJECTS with a `RuntimeError` whose code is 'aborted'. All other failures reject with `RuntimeError`.
 */
import type { StructuredOutput } from './structured.js';

export interface ModelInfo {
  name: string;
  runtime: string;
  sizeBytes?: number;
  architecture?: string;
  contextLength?: number;
  embeddingLength?: number;
  loaded: boolean;
  /** Why the model cannot be used (e.g. a malformed GGUF); requests for it fail with 'model-invalid'. */
  error?: string;
}

export interface GenerateOptions {
  /** 0 (the default) is greedy and deterministic. */
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  seed?: number;
  /** Generation stops before any of these strings; the stop string is not part of `text`. */
  stop?: string[];
  /** JSON Schema (2020-12): output is grammar-constrained to JSON and validated into `GenerateResult.structured`. */
  jsonSchema?: object;
}

export type TokenSink = (chunk: string) => void;

export interface CompletionRequest {
  model: string;
  prompt: string;
  options?: GenerateOptions;
  signal?: AbortSignal;
  onToken?: TokenSink;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  model: string;
  /** Must end with a 'user' message. */
  messages: ChatMessage[];
  /**
   * Continue this assistant answer (gateway failover): the model answers as if it had already written it, and
   * `text`/tokens hold only what follows. Only runtimes with `continuesChat` honour it.
   */
  assistantPrefix?: string;
  options?: GenerateOptions;
  signal?: AbortSignal;
  onToken?: TokenSink;
}

export type StopReason = 'maxTokens' | 'eogToken' | 'stopSequence' | 'aborted' | 'other';

export interface GenerateResult {
  text: string;
  stopReason: StopReason;
  promptTokens: number;
  completionTokens: number;
  /** Prompt evaluation + generation; excludes model loading and waiting behind other requests. */
  durationMs: number;
  /** Set when `options.jsonSchema` was given: the parsed value if `text` is valid against it, else why not. */
  structured?: StructuredOutput;
}

export interface EmbedRequest {
  model: string;
  input: string[];
  signal?: AbortSignal;
}

export interface EmbedResult {
  embeddings: number[][];
  dimensions: number;
  promptTokens: number;
}

export interface Runtime {
  readonly name: string;
  /** Whether `chat` honours `assistantPrefix` (others must not be asked to continue an answer). */
  readonly continuesChat?: boolean;
  listModels(): Promise<ModelInfo[]>;
  complete(request: CompletionRequest): Promise<GenerateResult>;
  chat(request: ChatRequest): Promise<GenerateResult>;
  embed(request: EmbedRequest): Promise<EmbedResult>;
  /** Frees everything; later calls reject with code 'closed'. */
  close(): Promise<void>;
}
