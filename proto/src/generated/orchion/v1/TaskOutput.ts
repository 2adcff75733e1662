// Original file: proto/orchion/v1/agent.proto

import type { OutputChunk as _orchion_v1_OutputChunk, OutputChunk__Output as _orchion_v1_OutputChunk__Output } from '../../orchion/v1/OutputChunk';

export interface TaskOutput {
  'attemptId'?: (string);
  'chunks'?: (_orchion_v1_OutputChunk)[];
}

export interface TaskOutput__Output {
  'attemptId': (string);
  'chunks': (_orchion_v1_OutputChunk__Output)[];
}
