// Original file: proto/orchion/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

// Original file: proto/orchion/v1/agent.proto

export const _orchion_v1_OutputChunk_Kind = {
  TOKEN: 'TOKEN',
  LOG: 'LOG',
} as const;

export type _orchion_v1_OutputChunk_Kind =
  | 'TOKEN'
  | 0
  | 'LOG'
  | 1

export type _orchion_v1_OutputChunk_Kind__Output = typeof _orchion_v1_OutputChunk_Kind[keyof typeof _orchion_v1_OutputChunk_Kind]

export interface OutputChunk {
  'kind'?: (_orchion_v1_OutputChunk_Kind);
  'text'?: (string);
  'level'?: (string);
  'timeMs'?: (number | string | Long);
}

export interface OutputChunk__Output {
  'kind': (_orchion_v1_OutputChunk_Kind__Output);
  'text': (string);
  'level': (string);
  'timeMs': (number);
}
