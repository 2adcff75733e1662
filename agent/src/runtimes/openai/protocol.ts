/** The parts of the OpenAI HTTP API (and vLLM's additions) the OpenAI runtime reads. */

export interface OpenAIModel {
  id: string;
  /** vLLM: the model's context length. */
  max_model_len?: number;
}

export interface OpenAIModelList {
  data?: OpenAIModel[];
}

export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

/** A streamed chunk of /v1/completions (`text`) or /v1/chat/completions (`delta`). */
export interface OpenAIChunk {
  choices?: {
    index?: number;
    text?: string;
    delta?: { content?: string | null };
    finish_reason?: string | null;
  }[];
  usage?: OpenAIUsage | null;
  error?: { message?: string; code?: string } | string;
}

export interface OpenAIEmbeddingList {
  data?: { index: number; embedding: number[] }[];
  usage?: OpenAIUsage;
}
