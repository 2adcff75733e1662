// Original file: proto/orchion/v1/agent.proto


export interface TaskError {
  'code'?: (string);
  'message'?: (string);
  'retryable'?: (boolean);
}

export interface TaskError__Output {
  'code': (string);
  'message': (string);
  'retryable': (boolean);
}
