// Original file: proto/orchion/v1/agent.proto


export interface EmbedInput {
  'input'?: (string)[];
}

export interface EmbedInput__Output {
  'input': (string)[];
}
