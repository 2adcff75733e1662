// Original file: proto/orchion/v1/agent.proto

import type { NodeLogLine as _orchion_v1_NodeLogLine, NodeLogLine__Output as _orchion_v1_NodeLogLine__Output } from '../../orchion/v1/NodeLogLine';

export interface NodeLog {
  'lines'?: (_orchion_v1_NodeLogLine)[];
}

export interface NodeLog__Output {
  'lines': (_orchion_v1_NodeLogLine__Output)[];
}
