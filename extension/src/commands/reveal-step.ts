// Orchion: Reveal Step in YAML — opens the pipeline file a job came from and selects the step. Arguments: a
// step row, or (jobId, stepId) from the dashboard; from the palette it asks for the job and the step.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { pipelineTools } from '../util/lazy';
import { toRange } from '../diagnostics/job-diagnostics';
import { jobIdOf, stepIdOf } from './args';
import { pickJob, pickStep } from './pickers';

/** The job's file: where it was submitted from, else a workspace pipeline of the same name, else its text. */
async function jobDocument(
  s: Services,
  jobId: string,
  name: string,
  pipeline: string,
): Promise<vscode.TextDocument> {
  const origin = s.diagnostics.origin(jobId);
  if (origin) {
    try {
      return await vscode.workspace.openTextDocument(origin);
    } catch {
      // moved or deleted: look further
    }
  }
  const tools = pipelineTools();
  for (const uri of await vscode.workspace.findFiles('**/*.orchion.{yaml,yml}', '**/node_modules/**', 200)) {
    const doc = await vscode.workspace.openTextDocument(uri);
    if (tools.readPipeline(doc.getText()).name === name) return doc;
  }
  return vscode.workspace.openTextDocument({ language: 'yaml', content: pipeline });
}

export function revealStepCommand(s: Services) {
  return async (arg?: unknown, second?: unknown): Promise<vscode.Range | undefined> => {
    const jobId = jobIdOf(arg) ?? (await pickJob(s, 'Reveal a step of which job?'))?.id;
    if (!jobId) return undefined;
    const job = await s.connection.client.getJob(jobId);
    const stepId = stepIdOf(arg, second) ?? (await pickStep(job.stepDetails, 'Reveal which step?'));
    if (!stepId) return undefined;
    const doc = await jobDocument(s, jobId, job.name, job.pipeline);
    const found = pipelineTools().stepRange(doc.getText(), stepId);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    if (!found) {
      void vscode.window.showWarningMessage(
        `Step "${stepId}" is no longer in ${vscode.workspace.asRelativePath(doc.uri)}.`,
      );
      return undefined;
    }
    const range = toRange(found);
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return range;
  };
}
