// Original file: proto/orchion/v1/agent.proto

import type { Capabilities as _orchion_v1_Capabilities, Capabilities__Output as _orchion_v1_Capabilities__Output } from '../../orchion/v1/Capabilities';
import type { ModelInfo as _orchion_v1_ModelInfo, ModelInfo__Output as _orchion_v1_ModelInfo__Output } from '../../orchion/v1/ModelInfo';

export interface Hello {
  'nodeId'?: (string);
  'hostname'?: (string);
  'labels'?: ({[key: string]: string});
  'agentVersion'?: (string);
  'capabilities'?: (_orchion_v1_Capabilities | null);
  'heartbeatIntervalMs'?: (number);
  'protocolVersion'?: (number);
  'models'?: (_orchion_v1_ModelInfo)[];
  'runtimes'?: (string)[];
  'slots'?: (number);
  'runningAttempts'?: (string)[];
  'dataPlaneUrl'?: (string);
}

export interface Hello__Output {
  'nodeId': (string);
  'hostname': (string);
  'labels': ({[key: string]: string});
  'agentVersion': (string);
  'capabilities': (_orchion_v1_Capabilities__Output | null);
  'heartbeatIntervalMs': (number);
  'protocolVersion': (number);
  'models': (_orchion_v1_ModelInfo__Output)[];
  'runtimes': (string)[];
  'slots': (number);
  'runningAttempts': (string)[];
  'dataPlaneUrl': (string);
}
