// Original file: proto/orchion/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Progress {
  'subject'?: (string);
  'status'?: (string);
  'completed'?: (number | string | Long);
  'total'?: (number | string | Long);
  'done'?: (boolean);
}

export interface Progress__Output {
  'subject': (string);
  'status': (string);
  'completed': (number);
  'total': (number);
  'done': (boolean);
}
