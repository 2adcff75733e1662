// Original file: proto/orchion/v1/agent.proto

import type { Embedding as _orchion_v1_Embedding, Embedding__Output as _orchion_v1_Embedding__Output } from '../../orchion/v1/Embedding';

export interface TaskResult {
  'text'?: (string);
  'json'?: (string);
  'embeddings'?: (_orchion_v1_Embedding)[];
  'dimensions'?: (number);
  'stopReason'?: (string);
  'promptTokens'?: (number);
  'completionTokens'?: (number);
  'durationMs'?: (number);
}

export interface TaskResult__Output {
  'text': (string);
  'json': (string);
  'embeddings': (_orchion_v1_Embedding__Output)[];
  'dimensions': (number);
  'stopReason': (string);
  'promptTokens': (number);
  'completionTokens': (number);
  'durationMs': (number);
}
