// Original file: proto/orchion/v1/agent.proto

import type { ChatMessages as _orchion_v1_ChatMessages, ChatMessages__Output as _orchion_v1_ChatMessages__Output } from '../../orchion/v1/ChatMessages';
import type { EmbedInput as _orchion_v1_EmbedInput, EmbedInput__Output as _orchion_v1_EmbedInput__Output } from '../../orchion/v1/EmbedInput';
import type { GenerateOptions as _orchion_v1_GenerateOptions, GenerateOptions__Output as _orchion_v1_GenerateOptions__Output } from '../../orchion/v1/GenerateOptions';

export interface AssignTask {
  'attemptId'?: (string);
  'jobId'?: (string);
  'stepId'?: (string);
  'attempt'?: (number);
  'runtime'?: (string);
  'model'?: (string);
  'prompt'?: (string);
  'messages'?: (_orchion_v1_ChatMessages | null);
  'embed'?: (_orchion_v1_EmbedInput | null);
  'options'?: (_orchion_v1_GenerateOptions | null);
  'outputSchemaJson'?: (string);
  'timeoutMs'?: (number);
  'input'?: "prompt"|"messages"|"embed";
}

export interface AssignTask__Output {
  'attemptId': (string);
  'jobId': (string);
  'stepId': (string);
  'attempt': (number);
  'runtime': (string);
  'model': (string);
  'prompt'?: (string);
  'messages'?: (_orchion_v1_ChatMessages__Output | null);
  'embed'?: (_orchion_v1_EmbedInput__Output | null);
  'options': (_orchion_v1_GenerateOptions__Output | null);
  'outputSchemaJson': (string);
  'timeoutMs': (number);
  'input'?: "prompt"|"messages"|"embed";
}
