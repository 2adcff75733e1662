// What the user is told when something fails (pure): one clear sentence and the actions that help.
import type { ApiClientError } from '@orchion/api';

export type ErrorAction = 'connect' | 'startLocalCluster' | 'showProblems' | 'showLog' | 'retry';

export const ACTION_TITLES: Record<ErrorAction, string> = {
  connect: 'Connect…',
  startLocalCluster: 'Start Local Cluster',
  showProblems: 'Show Problems',
  showLog: 'Show Log',
  retry: 'Retry',
};

export interface UserError {
  message: string;
  actions: ErrorAction[];
}

function isApiError(err: unknown): err is ApiClientError {
  return (
    err instanceof Error && err.name === 'ApiClientError' && typeof (err as ApiClientError).code === 'string'
  );
}

/** `doing` completes "Could not …", e.g. "submit hello.orchion.yaml". */
export function describeError(doing: string, err: unknown): UserError {
  const what = `Could not ${doing}`;
  if (isApiError(err)) {
    if (err.status === 401) {
      return {
        message: `${what}: the orchestrator refused the API token. Connect again with a valid token.`,
        actions: ['connect'],
      };
    }
    switch (err.code) {
      case 'unreachable':
        return {
          message: `${what}: ${err.message}. Is the orchestrator running?`,
          actions: ['startLocalCluster', 'connect'],
        };
      case 'invalid_pipeline':
        return {
          message: `${what}: the pipeline has errors (see the Problems panel).`,
          actions: ['showProblems'],
        };
      case 'not_connected':
        return {
          message: `${what}: not connected to an orchestrator.`,
          actions: ['connect', 'startLocalCluster'],
        };
      default:
        return {
          message: `${what}: ${err.message}${err.status ? ` (HTTP ${err.status})` : ''}`,
          actions: ['showLog'],
        };
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message: `${what}: ${message}`, actions: ['showLog'] };
}
