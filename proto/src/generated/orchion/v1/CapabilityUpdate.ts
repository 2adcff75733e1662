// Original file: proto/orchion/v1/agent.proto

import type { CpuInfo as _orchion_v1_CpuInfo, CpuInfo__Output as _orchion_v1_CpuInfo__Output } from '../../orchion/v1/CpuInfo';
import type { MemoryInfo as _orchion_v1_MemoryInfo, MemoryInfo__Output as _orchion_v1_MemoryInfo__Output } from '../../orchion/v1/MemoryInfo';
import type { OsInfo as _orchion_v1_OsInfo, OsInfo__Output as _orchion_v1_OsInfo__Output } from '../../orchion/v1/OsInfo';
import type { GpuList as _orchion_v1_GpuList, GpuList__Output as _orchion_v1_GpuList__Output } from '../../orchion/v1/GpuList';
import type { ModelList as _orchion_v1_ModelList, ModelList__Output as _orchion_v1_ModelList__Output } from '../../orchion/v1/ModelList';
import type { ContainerEngine as _orchion_v1_ContainerEngine, ContainerEngine__Output as _orchion_v1_ContainerEngine__Output } from '../../orchion/v1/ContainerEngine';
import type { RuntimeList as _orchion_v1_RuntimeList, RuntimeList__Output as _orchion_v1_RuntimeList__Output } from '../../orchion/v1/RuntimeList';

export interface CapabilityUpdate {
  'cpu'?: (_orchion_v1_CpuInfo | null);
  'memory'?: (_orchion_v1_MemoryInfo | null);
  'os'?: (_orchion_v1_OsInfo | null);
  'gpus'?: (_orchion_v1_GpuList | null);
  'models'?: (_orchion_v1_ModelList | null);
  'containerEngine'?: (_orchion_v1_ContainerEngine | null);
  'runtimes'?: (_orchion_v1_RuntimeList | null);
}

export interface CapabilityUpdate__Output {
  'cpu': (_orchion_v1_CpuInfo__Output | null);
  'memory': (_orchion_v1_MemoryInfo__Output | null);
  'os': (_orchion_v1_OsInfo__Output | null);
  'gpus': (_orchion_v1_GpuList__Output | null);
  'models': (_orchion_v1_ModelList__Output | null);
  'containerEngine': (_orchion_v1_ContainerEngine__Output | null);
  'runtimes': (_orchion_v1_RuntimeList__Output | null);
}
