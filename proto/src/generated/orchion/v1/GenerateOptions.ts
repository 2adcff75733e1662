// Original file: proto/orchion/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface GenerateOptions {
  'temperature'?: (number | string);
  'maxTokens'?: (number);
  'topP'?: (number | string);
  'seed'?: (number | string | Long);
  'stop'?: (string)[];
  '_temperature'?: "temperature";
  '_maxTokens'?: "maxTokens";
  '_topP'?: "topP";
  '_seed'?: "seed";
}

export interface GenerateOptions__Output {
  'temperature'?: (number);
  'maxTokens'?: (number);
  'topP'?: (number);
  'seed'?: (number);
  'stop': (string)[];
  '_temperature'?: "temperature";
  '_maxTokens'?: "maxTokens";
  '_topP'?: "topP";
  '_seed'?: "seed";
}
