// Orchion: Filter Jobs by State — which states the Jobs view shows. Called with a list of states it sets them.
import { JOB_STATES, type JobState } from '@orchion/api';
import * as vscode from 'vscode';
import type { Services } from '../services';

export function filterJobsCommand(s: Services) {
  return async (states?: unknown): Promise<void> => {
    if (Array.isArray(states)) {
      s.jobs.setFilter(states.filter((x): x is JobState => JOB_STATES.includes(x as JobState)));
      return;
    }
    const current = s.jobs.model.filter ?? JOB_STATES;
    const picked = await vscode.window.showQuickPick(
      JOB_STATES.map((state) => ({ label: state, picked: current.includes(state) })),
      { title: 'Show jobs in these states', canPickMany: true },
    );
    if (!picked) return;
    s.jobs.setFilter(
      picked.length === JOB_STATES.length ? undefined : picked.map((p) => p.label as JobState),
    );
  };
}
