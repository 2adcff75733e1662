// Orchion: Run Pipeline from Step — the language server's "Run from here" code lens (arguments:
// [documentUri, stepId]); from the palette it asks for the step. Sends `from: { step }` with the submit.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { pipelineTools } from '../util/lazy';
import { submitOptionsOf } from './args';
import { pickPipelineFile, pickStep } from './pickers';
import { submitPipeline, uriOf } from './submit-pipeline';

export function runFromStepCommand(s: Services) {
  return async (arg?: unknown, step?: unknown, options?: unknown) => {
    const uri = uriOf(arg) ?? (await pickPipelineFile('Run pipeline from a step'));
    if (!uri) return undefined;
    let stepId = typeof step === 'string' ? step : undefined;
    if (!stepId) {
      const doc = await vscode.workspace.openTextDocument(uri);
      stepId = await pickStep(pipelineTools().readPipeline(doc.getText()).steps, 'Run from which step?');
    }
    if (!stepId) return undefined;
    return submitPipeline(s, uri, { ...submitOptionsOf(options), fromStep: stepId });
  };
}
