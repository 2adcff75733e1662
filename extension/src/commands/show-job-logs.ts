// Orchion: Show Job Logs — opens the job's log channel, following it live until the job ends.
import type { Services } from '../services';
import { jobIdOf } from './args';
import { pickJob } from './pickers';

export function showJobLogsCommand(s: Services) {
  return async (arg?: unknown, options?: unknown): Promise<string | undefined> => {
    const id = jobIdOf(arg) ?? (await pickJob(s, 'Show job logs'))?.id;
    if (!id) return undefined;
    const name = s.jobs.model.get(id)?.name ?? (await s.connection.client.getJob(id)).name;
    const reveal = (options as { reveal?: unknown } | undefined)?.reveal;
    s.logs.follow(id, name, { reveal: reveal !== false });
    return s.logs.names()[id];
  };
}
