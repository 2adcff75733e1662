// Original file: proto/orchion/v1/agent.proto

import type { ModelInfo as _orchion_v1_ModelInfo, ModelInfo__Output as _orchion_v1_ModelInfo__Output } from '../../orchion/v1/ModelInfo';

export interface ModelList {
  'models'?: (_orchion_v1_ModelInfo)[];
}

export interface ModelList__Output {
  'models': (_orchion_v1_ModelInfo__Output)[];
}
