/**
 * An in-process LSP session: a real client connection and the real server, joined by paired streams. Waiting is
 * on messages (diagnostics for a given version), never on timers.
 */
import { PassThrough } from 'node:stream';
import {
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  createConnection,
  createProtocolConnection,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';
import { startServer, type ServerOptions } from '../../../src/server/server.js';
import type { InitializationOptions, ServerSettings } from '../../../src/protocol.js';

export interface Session {
  client: ProtocolConnection;
  initialize: InitializeResult;
  /** Opens a document and resolves with its first diagnostics. */
  open(uri: string, text: string): Promise<PublishDiagnosticsParams>;
  /** Changes a document (incremental events) and resolves with the diagnostics of the new version. */
  change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<PublishDiagnosticsParams>;
  /** The next diagnostics published for `uri` (optionally for one version). */
  nextDiagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams>;
  configure(settings: ServerSettings): Promise<PublishDiagnosticsParams[]>;
  close(uri: string): Promise<PublishDiagnosticsParams>;
  versionOf(uri: string): number;
  dispose(): Promise<void>;
}

export async function startSession(
  initializationOptions: InitializationOptions = {},
  options: ServerOptions = {},
): Promise<Session> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const server = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  startServer(server, options);
  server.listen();
  const client = createProtocolConnection(
    new StreamMessageReader(toClient),
    new StreamMessageWriter(toServer),
  );
  const waiters: {
    uri: string;
    version: number | undefined;
    resolve: (p: PublishDiagnosticsParams) => void;
  }[] = [];
  client.onNotification(PublishDiagnosticsNotification.type, (p) => {
    const i = waiters.findIndex(
      (w) => w.uri === p.uri && (w.version === undefined || w.version === p.version),
    );
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(p);
  });
  client.listen();
  const versions = new Map<string, number>();
  const nextDiagnostics = (uri: string, version?: number): Promise<PublishDiagnosticsParams> =>
    new Promise((resolve) => waiters.push({ uri, version, resolve }));

  const initialize = await client.sendRequest(InitializeRequest.type, {
    processId: null,
    rootUri: null,
    capabilities: {},
    initializationOptions: { validationDelayMs: 0, ...initializationOptions },
  });
  await client.sendNotification(InitializedNotification.type, {});

  return {
    client,
    initialize,
    async open(uri, text) {
      versions.set(uri, 1);
      const next = nextDiagnostics(uri, 1);
      await client.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'yaml', version: 1, text },
      });
      return next;
    },
    async change(uri, contentChanges) {
      const version = (versions.get(uri) ?? 0) + 1;
      versions.set(uri, version);
      const next = nextDiagnostics(uri, version);
      await client.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges,
      });
      return next;
    },
    nextDiagnostics,
    async configure(settings) {
      const next = [...versions.keys()].map((uri) => nextDiagnostics(uri));
      await client.sendNotification(DidChangeConfigurationNotification.type, { settings });
      return Promise.all(next);
    },
    async close(uri) {
      const next = nextDiagnostics(uri);
      await client.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
      versions.delete(uri);
      return next;
    },
    versionOf: (uri) => versions.get(uri) ?? 0,
    async dispose() {
      await client.sendRequest(ShutdownRequest.type);
      client.dispose();
      server.dispose();
      toServer.destroy();
      toClient.destroy();
    },
  };
}
