// Original file: proto/orchion/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface MemoryInfo {
  'totalBytes'?: (number | string | Long);
  'freeBytes'?: (number | string | Long);
  'availableBytes'?: (number | string | Long);
}

export interface MemoryInfo__Output {
  'totalBytes': (number);
  'freeBytes': (number);
  'availableBytes': (number);
}
