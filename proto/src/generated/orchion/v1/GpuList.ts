// Original file: proto/orchion/v1/agent.proto

import type { Gpu as _orchion_v1_Gpu, Gpu__Output as _orchion_v1_Gpu__Output } from '../../orchion/v1/Gpu';

export interface GpuList {
  'gpus'?: (_orchion_v1_Gpu)[];
}

export interface GpuList__Output {
  'gpus': (_orchion_v1_Gpu__Output)[];
}
