// Orchion: Submit Pipeline — from the Explorer, the editor (context menu, title button), a code lens or the
// palette. Reads the file (unsaved changes included), asks for the declared inputs showing their defaults,
// submits, follows the job's logs and remembers the file for failed-step diagnostics.
import type { JobView, SubmitJobRequest } from '@orchion/api';
import type { InputSpec } from '@orchion/schemas';
import * as vscode from 'vscode';
import { readSettings } from '../connection/settings';
import type { Services } from '../services';
import { pipelineTools } from '../util/lazy';
import { submitOptionsOf, type SubmitOptions } from './args';
import { pickPipelineFile } from './pickers';

/** A URI from a command argument: a Uri, or a string (the language server's code lenses pass strings). */
export function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg)
    return /^[a-z][a-z0-9+.-]*:/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  if (arg && typeof arg === 'object' && 'scheme' in arg && 'path' in arg)
    return vscode.Uri.from(arg as vscode.Uri);
  return undefined;
}

async function readText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/** Asks for each declared input (undefined when the user cancelled). */
async function askInputs(
  inputs: Record<string, InputSpec>,
  given: Record<string, unknown>,
  prompt: boolean,
  pipelineName: string,
): Promise<Record<string, unknown> | undefined> {
  const tools = pipelineTools();
  // No prototype: input names are the pipeline author's (an input may be called "constructor").
  const values: Record<string, unknown> = Object.assign(
    Object.create(null) as Record<string, unknown>,
    given,
  );
  const prompts = tools.inputPrompts(inputs).filter((p) => !(p.name in given));
  if (!prompt) return values;
  for (const [i, p] of prompts.entries()) {
    const text = await vscode.window.showInputBox({
      title: `Submit ${pipelineName}: input ${i + 1} of ${prompts.length}`,
      prompt: p.prompt,
      value: p.initial,
      placeHolder: p.placeholder,
      ignoreFocusOut: true,
      validateInput: (t) => {
        const r = tools.parseInputText(p.spec, t);
        return 'error' in r ? r.error : undefined;
      },
    });
    if (text === undefined) return undefined;
    const r = tools.parseInputText(p.spec, text);
    if ('value' in r && r.value !== undefined) values[p.name] = r.value;
  }
  return values;
}

/**
 * Submits the pipeline at `uri`. Returns the created job, or undefined when the user cancelled or the file has
 * errors (shown in the Problems panel). Throws API errors.
 */
export async function submitPipeline(
  s: Services,
  uri: vscode.Uri,
  options: SubmitOptions = {},
): Promise<JobView | undefined> {
  const text = await readText(uri);
  const info = pipelineTools().readPipeline(text);
  const file = vscode.workspace.asRelativePath(uri);
  if (info.errors.length > 0) {
    if (!s.languageClient.running) s.diagnostics.publishPipelineErrors(uri, info.errors);
    const first = info.errors[0]!;
    void vscode.window
      .showErrorMessage(
        `${file} has ${info.errors.length} error(s) and was not submitted: line ${first.range.start.line + 1}: ${first.message}`,
        'Show Problems',
      )
      .then((choice) => choice && vscode.commands.executeCommand('workbench.actions.view.problems'));
    return undefined;
  }
  const name = info.name ?? file;
  const inputs = await askInputs(info.inputs, options.inputs ?? {}, options.prompt !== false, name);
  if (!inputs) return undefined;
  const request: SubmitJobRequest = { pipeline: text, inputs };
  if (options.fromStep)
    request.from = { step: options.fromStep, ...(options.fromJob ? { job: options.fromJob } : {}) };
  const job = await s.connection.client.submitJob(request);
  s.log.info(
    `submitted ${file} as job ${job.id}${options.fromStep ? ` (from step ${options.fromStep})` : ''}`,
  );
  s.diagnostics.track(job.id, uri);
  s.logs.follow(job.id, job.name, { reveal: options.revealLogs ?? readSettings().autoRevealLogs });
  void s.jobs.reload();
  return job;
}

export function submitPipelineCommand(s: Services) {
  return async (arg?: unknown, second?: unknown): Promise<JobView | undefined> => {
    const uri = uriOf(arg) ?? (await pickPipelineFile('Submit pipeline'));
    if (!uri) return undefined;
    const options = submitOptionsOf(second);
    return vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Window,
        title: `Orchion: submitting ${vscode.workspace.asRelativePath(uri)}`,
      },
      () => submitPipeline(s, uri, options),
    );
  };
}
