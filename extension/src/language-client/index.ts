// Entry of the lazily loaded `dist/language-client.js` bundle: starts the bundled Orchion language server
// (dist/server.js) over IPC with vscode-languageclient.
import type * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

import type { InitializationOptions } from '../../../language-server/src/protocol';

export interface StartOptions {
  serverModule: string;
  /** Read at each (re)start, so a restart picks up a new URL or token. */
  initializationOptions: () => InitializationOptions;
  outputChannel: vscode.OutputChannel;
}

export type OrchionLanguageClient = LanguageClient;

export async function startLanguageClient(options: StartOptions): Promise<LanguageClient> {
  const serverOptions: ServerOptions = {
    run: { module: options.serverModule, transport: TransportKind.ipc },
    debug: {
      module: options.serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6019'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    // Pipeline files are YAML; the server leaves YAML documents that are not pipelines alone.
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    synchronize: { configurationSection: 'orchion' },
    initializationOptions: options.initializationOptions,
    outputChannel: options.outputChannel,
  };
  const client = new LanguageClient('orchion', 'Orchion Language Server', serverOptions, clientOptions);
  await client.start();
  return client;
}
