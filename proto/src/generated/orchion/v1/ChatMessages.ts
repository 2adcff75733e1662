// Original file: proto/orchion/v1/agent.proto

import type { ChatMessage as _orchion_v1_ChatMessage, ChatMessage__Output as _orchion_v1_ChatMessage__Output } from '../../orchion/v1/ChatMessage';

export interface ChatMessages {
  'messages'?: (_orchion_v1_ChatMessage)[];
}

export interface ChatMessages__Output {
  'messages': (_orchion_v1_ChatMessage__Output)[];
}
