// Original file: proto/orchion/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Gpu {
  'index'?: (number);
  'vendor'?: (string);
  'model'?: (string);
  'vramTotalBytes'?: (number | string | Long);
  'vramUsedBytes'?: (number | string | Long);
  'utilizationPercent'?: (number | string);
  'powerDrawWatts'?: (number | string);
  'powerLimitWatts'?: (number | string);
  'temperatureCelsius'?: (number | string);
  'bus'?: (string);
  '_vramUsedBytes'?: "vramUsedBytes";
  '_utilizationPercent'?: "utilizationPercent";
  '_powerDrawWatts'?: "powerDrawWatts";
  '_powerLimitWatts'?: "powerLimitWatts";
  '_temperatureCelsius'?: "temperatureCelsius";
}

export interface Gpu__Output {
  'index': (number);
  'vendor': (string);
  'model': (string);
  'vramTotalBytes': (number);
  'vramUsedBytes'?: (number);
  'utilizationPercent'?: (number);
  'powerDrawWatts'?: (number);
  'powerLimitWatts'?: (number);
  'temperatureCelsius'?: (number);
  'bus': (string);
  '_vramUsedBytes'?: "vramUsedBytes";
  '_utilizationPercent'?: "utilizationPercent";
  '_powerDrawWatts'?: "powerDrawWatts";
  '_powerLimitWatts'?: "powerLimitWatts";
  '_temperatureCelsius'?: "temperatureCelsius";
}
