// Starts the gRPC server that agents connect to.
import * as grpc from '@grpc/grpc-js';
import { loadOrchionProto } from '@orchion/proto';
import type { AgentSessions } from './agent-sessions';

export const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface GrpcServerHandle {
  server: grpc.Server;
  /** host:port actually bound (the port is resolved when 0 was asked for). */
  address: string;
  close(): Promise<void>;
}

export async function startGrpcServer(address: string, sessions: AgentSessions): Promise<GrpcServerHandle> {
  const proto = loadOrchionProto();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': 16 * MAX_MESSAGE_BYTES,
    // Notice dead peers (a frozen or vanished agent) even when no message is due.
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  });
  server.addService(proto.orchion.v1.AgentService.service, sessions.handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const host = address.slice(0, address.lastIndexOf(':'));
  return {
    server,
    address: `${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 2_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
