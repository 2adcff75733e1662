// Original file: proto/orchion/v1/agent.proto

import type { Capabilities as _orchion_v1_Capabilities, Capabilities__Output as _orchion_v1_Capabilities__Output } from '../../orchion/v1/Capabilities';

export interface Hello {
  'nodeId'?: (string);
  'hostname'?: (string);
  'labels'?: ({[key: string]: string});
  'agentVersion'?: (string);
  'capabilities'?: (_orchion_v1_Capabilities | null);
  'heartbeatIntervalMs'?: (number);
  'protocolVersion'?: (number);
}

export interface Hello__Output {
  'nodeId': (string);
  'hostname': (string);
  'labels': ({[key: string]: string});
  'agentVersion': (string);
  'capabilities': (_orchion_v1_Capabilities__Output | null);
  'heartbeatIntervalMs': (number);
  'protocolVersion': (number);
}
