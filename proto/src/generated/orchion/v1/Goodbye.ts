// Original file: proto/orchion/v1/agent.proto


export interface Goodbye {
  'reason'?: (string);
}

export interface Goodbye__Output {
  'reason': (string);
}
