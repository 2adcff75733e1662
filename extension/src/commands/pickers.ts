// Quick picks used when a command runs from the palette without a tree item.
import type { JobState, StepView } from '@orchion/api';
import * as vscode from 'vscode';
import type { Services } from '../services';
import { formatDuration, elapsed, shortId } from '../views/format';

export async function pickJob(
  s: Services,
  title: string,
  states?: readonly JobState[],
): Promise<{ id: string; name: string } | undefined> {
  const { jobs } = await s.connection.client.listJobs({ limit: 100 });
  const candidates = states ? jobs.filter((j) => states.includes(j.state)) : jobs;
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(
      states ? `No ${states.join(' or ')} jobs.` : 'No jobs yet: submit a pipeline first.',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((j) => {
      const took = elapsed(j.startedAt, j.finishedAt);
      return {
        label: j.name,
        description: `${j.state} · ${shortId(j.id)}${took !== undefined ? ` · ${formatDuration(took)}` : ''}`,
        detail: `created ${j.createdAt}${j.error ? ` — ${j.error}` : ''}`,
        job: j,
      };
    }),
    { title, placeHolder: 'Pick a job', matchOnDescription: true },
  );
  return picked?.job;
}

export async function pickStep(steps: readonly { id: string; state?: StepView['state'] }[], title: string) {
  const picked = await vscode.window.showQuickPick(
    steps.map((st) => ({ label: st.id, description: st.state ?? '' })),
    { title, placeHolder: 'Pick a step' },
  );
  return picked?.label;
}

/** The active editor's pipeline file, else a pick among the workspace's pipeline files. */
export async function pickPipelineFile(title: string): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && /\.orchion\.ya?ml$/i.test(active.fileName)) return active.uri;
  const files = await vscode.workspace.findFiles('**/*.orchion.{yaml,yml}', '**/node_modules/**', 200);
  if (files.length === 0) {
    const choice = await vscode.window.showInformationMessage(
      'No pipeline files (*.orchion.yaml) in this workspace.',
      'Create Pipeline',
    );
    if (choice) await vscode.commands.executeCommand('orchion.createPipeline');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title, placeHolder: 'Pick a pipeline file' },
  );
  return picked?.uri;
}
