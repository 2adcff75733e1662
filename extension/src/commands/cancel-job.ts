// Orchion: Cancel Job — a job row, a job id, or a pick among queued and running jobs.
import type { JobView } from '@orchion/api';
import * as vscode from 'vscode';
import type { Services } from '../services';
import { jobIdOf } from './args';
import { pickJob } from './pickers';

export function cancelJobCommand(s: Services) {
  return async (arg?: unknown): Promise<JobView | undefined> => {
    const id = jobIdOf(arg) ?? (await pickJob(s, 'Cancel job', ['queued', 'running']))?.id;
    if (!id) return undefined;
    const job = await s.connection.client.cancelJob(id);
    s.log.info(`cancelled job ${id}`);
    void vscode.window.setStatusBarMessage(`Orchion: job ${job.name} ${id.slice(0, 8)} cancelled`, 5000);
    return job;
  };
}
