// Orchion: Refresh — reloads nodes and jobs (or reconnects when not connected).
import type { Services } from '../services';

export function refreshCommand(s: Services) {
  return async (): Promise<void> => {
    if (s.connection.state !== 'connected') {
      await s.connection.restore();
      return;
    }
    await Promise.all([s.nodes.reload(), s.jobs.reload()]);
  };
}
