// Failed steps of jobs submitted from VS Code become diagnostics on their pipeline file (Problems panel), at
// each step's id. Remembers which file each job came from (also for "Reveal step in YAML").
import type { Diagnostic as PipelineDiagnostic } from '@orchion/schemas';
import * as vscode from 'vscode';
import type { Connection } from '../connection/connection';
import { readSettings } from '../connection/settings';
import { pipelineTools } from '../util/lazy';
import type { Logger } from '../util/logger';
import type { JobChange } from '../views/jobs-model';
import { TERMINAL_STATES } from '../views/jobs-model';

const ORIGINS_KEY = 'orchion.jobOrigins';
const MAX_ORIGINS = 500;

export function toRange(r: PipelineDiagnostic['range']): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export class JobDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('orchion');
  /** Job id → pipeline file URI (persisted per workspace). */
  private readonly origins: Map<string, string>;
  /** Fires with the file URI whenever diagnostics of a job were published or cleared. */
  private readonly published = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidPublish = this.published.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly connection: Connection,
    private readonly log: Logger,
  ) {
    this.origins = new Map(Object.entries(state.get<Record<string, string>>(ORIGINS_KEY) ?? {}));
  }

  /** Records that `jobId` was submitted from `uri`; that file's earlier job problems are cleared. */
  track(jobId: string, uri: vscode.Uri): void {
    this.origins.set(jobId, uri.toString());
    while (this.origins.size > MAX_ORIGINS) this.origins.delete(this.origins.keys().next().value!);
    void this.state.update(ORIGINS_KEY, Object.fromEntries(this.origins));
    this.collection.delete(uri);
  }

  origin(jobId: string): vscode.Uri | undefined {
    const s = this.origins.get(jobId);
    return s ? vscode.Uri.parse(s) : undefined;
  }

  /** Follows job changes: a tracked job that ended publishes (failed) or clears (succeeded) its problems. */
  onJobChange(change: JobChange | undefined): void {
    const job = change?.job;
    if (!job || !TERMINAL_STATES.has(job.state)) return;
    const uri = this.origin(job.id);
    if (!uri) return;
    if (job.state !== 'failed' || !readSettings().failedStepDiagnostics) {
      if (job.state === 'succeeded') this.collection.delete(uri);
      this.published.fire(uri);
      return;
    }
    void this.publishFailed(job.id, uri);
  }

  /** Publishes the failed steps of a job on its file (also usable directly, e.g. by tests). */
  async publishFailed(jobId: string, uri: vscode.Uri): Promise<void> {
    try {
      const job = await this.connection.client.getJob(jobId);
      const doc = await vscode.workspace.openTextDocument(uri);
      const found = pipelineTools().failedStepDiagnostics(doc.getText(), job);
      const diagnostics = found.map((d) => {
        const diag = new vscode.Diagnostic(toRange(d.range), d.message, vscode.DiagnosticSeverity.Error);
        diag.source = 'orchion';
        diag.code = d.code;
        return diag;
      });
      this.collection.set(uri, diagnostics);
      this.log.info(`job ${jobId}: ${diagnostics.length} failed step(s) published on ${uri.fsPath}`);
    } catch (err) {
      this.log.warn(`could not publish the failed steps of job ${jobId}: ${(err as Error).message}`);
    } finally {
      this.published.fire(uri);
    }
  }

  /** Publishes pipeline errors found before a submit (when no language server shows them). */
  publishPipelineErrors(uri: vscode.Uri, errors: PipelineDiagnostic[]): void {
    this.collection.set(
      uri,
      errors.map((e) => {
        const d = new vscode.Diagnostic(toRange(e.range), e.message, vscode.DiagnosticSeverity.Error);
        d.source = 'orchion';
        d.code = e.code;
        return d;
      }),
    );
  }

  dispose(): void {
    this.collection.dispose();
    this.published.dispose();
  }
}
