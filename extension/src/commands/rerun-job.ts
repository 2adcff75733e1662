// Orchion: Rerun Job — submits the job's pipeline text again with the same inputs.
import type { JobView } from '@orchion/api';
import { readSettings } from '../connection/settings';
import type { Services } from '../services';
import { jobIdOf } from './args';
import { pickJob } from './pickers';

export function rerunJobCommand(s: Services) {
  return async (arg?: unknown): Promise<JobView | undefined> => {
    const id = jobIdOf(arg) ?? (await pickJob(s, 'Rerun job'))?.id;
    if (!id) return undefined;
    const old = await s.connection.client.getJob(id);
    const job = await s.connection.client.submitJob({ pipeline: old.pipeline, inputs: old.inputs });
    s.log.info(`reran job ${id} as ${job.id}`);
    const origin = s.diagnostics.origin(id);
    if (origin) s.diagnostics.track(job.id, origin);
    s.logs.follow(job.id, job.name, { reveal: readSettings().autoRevealLogs });
    void s.jobs.reload();
    return job;
  };
}
