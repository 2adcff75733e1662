/** The parts of the Ollama HTTP API (docs/api.md) the Ollama runtime reads. */

export interface OllamaModelEntry {
  name: string;
  model?: string;
  size?: number;
  details?: { family?: string; parameter_size?: string; quantization_level?: string };
  /** /api/ps only (newer servers). */
  context_length?: number;
}

export interface OllamaListResponse {
  models?: OllamaModelEntry[];
}

/** A line of /api/generate (`response`) or /api/chat (`message`); the last has `done: true` and the counts. */
export interface OllamaGenerateChunk {
  response?: string;
  message?: { role?: string; content?: string };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
  error?: string;
}

export interface OllamaEmbedResponse {
  embeddings?: number[][];
  prompt_eval_count?: number;
}

/** A line of /api/pull. */
export interface OllamaPullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}
