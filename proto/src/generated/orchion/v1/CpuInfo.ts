// Original file: proto/orchion/v1/agent.proto


export interface CpuInfo {
  'manufacturer'?: (string);
  'brand'?: (string);
  'cores'?: (number);
  'physicalCores'?: (number);
  'speedGhz'?: (number | string);
}

export interface CpuInfo__Output {
  'manufacturer': (string);
  'brand': (string);
  'cores': (number);
  'physicalCores': (number);
  'speedGhz': (number);
}
