// Original file: proto/orchion/v1/agent.proto


export interface ContainerEngine {
  'available'?: (boolean);
  'version'?: (string);
  'apiVersion'?: (string);
  'endpoint'?: (string);
  'error'?: (string);
}

export interface ContainerEngine__Output {
  'available': (boolean);
  'version': (string);
  'apiVersion': (string);
  'endpoint': (string);
  'error': (string);
}
