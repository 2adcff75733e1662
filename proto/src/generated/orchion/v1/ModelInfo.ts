// Original file: proto/orchion/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface ModelInfo {
  'name'?: (string);
  'runtime'?: (string);
  'sizeBytes'?: (number | string | Long);
  'architecture'?: (string);
  'contextLength'?: (number);
  'embeddingLength'?: (number);
  'loaded'?: (boolean);
  'error'?: (string);
}

export interface ModelInfo__Output {
  'name': (string);
  'runtime': (string);
  'sizeBytes': (number);
  'architecture': (string);
  'contextLength': (number);
  'embeddingLength': (number);
  'loaded': (boolean);
  'error': (string);
}
