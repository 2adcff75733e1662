// Original file: proto/orchion/v1/agent.proto

import type { CpuInfo as _orchion_v1_CpuInfo, CpuInfo__Output as _orchion_v1_CpuInfo__Output } from '../../orchion/v1/CpuInfo';
import type { MemoryInfo as _orchion_v1_MemoryInfo, MemoryInfo__Output as _orchion_v1_MemoryInfo__Output } from '../../orchion/v1/MemoryInfo';
import type { OsInfo as _orchion_v1_OsInfo, OsInfo__Output as _orchion_v1_OsInfo__Output } from '../../orchion/v1/OsInfo';
import type { Gpu as _orchion_v1_Gpu, Gpu__Output as _orchion_v1_Gpu__Output } from '../../orchion/v1/Gpu';
import type { ContainerEngine as _orchion_v1_ContainerEngine, ContainerEngine__Output as _orchion_v1_ContainerEngine__Output } from '../../orchion/v1/ContainerEngine';

export interface Capabilities {
  'cpu'?: (_orchion_v1_CpuInfo | null);
  'memory'?: (_orchion_v1_MemoryInfo | null);
  'os'?: (_orchion_v1_OsInfo | null);
  'gpus'?: (_orchion_v1_Gpu)[];
  'containerEngine'?: (_orchion_v1_ContainerEngine | null);
}

export interface Capabilities__Output {
  'cpu': (_orchion_v1_CpuInfo__Output | null);
  'memory': (_orchion_v1_MemoryInfo__Output | null);
  'os': (_orchion_v1_OsInfo__Output | null);
  'gpus': (_orchion_v1_Gpu__Output)[];
  'containerEngine': (_orchion_v1_ContainerEngine__Output | null);
}
