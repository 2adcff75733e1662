// Original file: proto/orchion/v1/agent.proto


export interface RuntimeList {
  'names'?: (string)[];
}

export interface RuntimeList__Output {
  'names': (string)[];
}
