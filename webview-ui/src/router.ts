// The dashboard's places, as paths (pure). The browser keeps them in the address bar (the orchestrator serves the
// page for any non-API path); the VS Code webview keeps them in memory.

export type Route = { view: 'cluster' } | { view: 'jobs'; jobId?: string; tab?: JobTab };

export type JobTab = 'steps' | 'logs' | 'pipeline';
const TABS = new Set<string>(['steps', 'logs', 'pipeline']);

export function parseRoute(path: string): Route {
  const parts = path.split(/[?#]/, 1)[0]!.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'jobs') return { view: 'cluster' };
  const jobId = parts[1];
  if (!jobId) return { view: 'jobs' };
  const tab = parts[2] && TABS.has(parts[2]) ? (parts[2] as JobTab) : undefined;
  return { view: 'jobs', jobId, ...(tab ? { tab } : {}) };
}

export function formatRoute(route: Route): string {
  if (route.view === 'cluster') return '/';
  if (!route.jobId) return '/jobs';
  return `/jobs/${encodeURIComponent(route.jobId)}${route.tab && route.tab !== 'steps' ? `/${route.tab}` : ''}`;
}
