// Original file: proto/orchion/v1/agent.proto


export interface OsInfo {
  'platform'?: (string);
  'distro'?: (string);
  'release'?: (string);
  'kernel'?: (string);
  'arch'?: (string);
}

export interface OsInfo__Output {
  'platform': (string);
  'distro': (string);
  'release': (string);
  'kernel': (string);
  'arch': (string);
}
