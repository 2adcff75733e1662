// Original file: proto/orchion/v1/agent.proto

import type { Progress as _orchion_v1_Progress, Progress__Output as _orchion_v1_Progress__Output } from '../../orchion/v1/Progress';
import type { Long } from '@grpc/proto-loader';

export interface NodeLogLine {
  'level'?: (string);
  'text'?: (string);
  'timeMs'?: (number | string | Long);
  'source'?: (string);
  'progress'?: (_orchion_v1_Progress | null);
}

export interface NodeLogLine__Output {
  'level': (string);
  'text': (string);
  'timeMs': (number);
  'source': (string);
  'progress': (_orchion_v1_Progress__Output | null);
}
