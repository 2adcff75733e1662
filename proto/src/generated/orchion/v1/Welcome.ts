// Original file: proto/orchion/v1/agent.proto


export interface Welcome {
  'nodeId'?: (string);
  'orchestratorVersion'?: (string);
  'known'?: (boolean);
  'registrations'?: (number);
}

export interface Welcome__Output {
  'nodeId': (string);
  'orchestratorVersion': (string);
  'known': (boolean);
  'registrations': (number);
}
