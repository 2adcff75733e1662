// Starts the language server the first time a pipeline document is open (not at activation: it costs a
// process and a 400 KB bundle), and restarts it when the connection changes so it sees the new URL and token.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Connection } from '../connection/connection';
import { languageClientModule } from '../util/lazy';
import type { Logger } from '../util/logger';
import type { OrchionLanguageClient } from './index';

const PIPELINE_FILE = /\.orchion\.ya?ml$/i;
const PIPELINE_HEADER = /^apiVersion:\s*["']?orchion\/v1["']?\s*$/m;

/** Whether a document is a pipeline: by file name, or a YAML file that declares `apiVersion: orchion/v1`. */
export function isPipelineDocument(doc: vscode.TextDocument): boolean {
  if (PIPELINE_FILE.test(doc.fileName)) return true;
  if (doc.languageId !== 'yaml') return false;
  return PIPELINE_HEADER.test(doc.getText(new vscode.Range(0, 0, 40, 0)));
}

export class LanguageClientController implements vscode.Disposable {
  private client: OrchionLanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private output: vscode.LogOutputChannel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly serverModule: string;

  constructor(
    extensionUri: vscode.Uri,
    private readonly connection: Connection,
    private readonly log: Logger,
  ) {
    this.serverModule = vscode.Uri.joinPath(extensionUri, 'dist', 'server.js').fsPath;
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => {
        if (isPipelineDocument(doc)) void this.start();
      }),
      connection.onDidChange((state) => {
        if (state === 'connected' && this.client) void this.restart();
      }),
    );
    if (vscode.workspace.textDocuments.some(isPipelineDocument)) void this.start();
  }

  get running(): boolean {
    return this.client?.isRunning() ?? false;
  }

  start(): Promise<void> {
    if (this.client || this.starting) return this.starting ?? Promise.resolve();
    if (!existsSync(this.serverModule)) {
      this.log.warn(`language server not started: ${this.serverModule} is missing from this build`);
      return Promise.resolve();
    }
    this.starting = (async () => {
      try {
        this.output ??= vscode.window.createOutputChannel('Orchion Language Server', { log: true });
        this.client = await languageClientModule().startLanguageClient({
          serverModule: this.serverModule,
          initializationOptions: () => {
            const endpoint = this.connection.endpoint();
            return endpoint ? { orchestratorUrl: endpoint.url, token: endpoint.token } : {};
          },
          outputChannel: this.output,
        });
        this.log.info('language server started');
      } catch (err) {
        this.log.error(`language server failed to start: ${(err as Error).message}`);
      } finally {
        this.starting = undefined;
      }
    })();
    return this.starting;
  }

  private async restart(): Promise<void> {
    try {
      await this.client?.restart();
    } catch (err) {
      this.log.warn(`language server restart failed: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    void this.client?.stop();
    this.output?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
