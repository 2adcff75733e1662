// Original file: proto/orchion/v1/agent.proto


export interface CancelTask {
  'attemptId'?: (string);
  'reason'?: (string);
}

export interface CancelTask__Output {
  'attemptId': (string);
  'reason': (string);
}
