// The status bar's text (pure).

export function statusText(
  connected: boolean,
  nodes: { ready: number; total: number },
  jobs: { running: number; queued: number },
  /** Why the event stream is down, while it keeps failing. */
  reconnecting?: string,
): { text: string; tooltip: string } {
  if (!connected)
    return { text: '$(debug-disconnect) Orchion', tooltip: 'Orchion: not connected — click to connect' };
  if (reconnecting) {
    return {
      text: '$(warning) Orchion: reconnecting',
      tooltip: `Orchion: lost the orchestrator's event stream (${reconnecting}); retrying. The views may be out of date.`,
    };
  }
  const queued = jobs.queued ? ` · ${jobs.queued} queued` : '';
  return {
    text: `$(server) ${nodes.ready}/${nodes.total} $(sync${jobs.running ? '~spin' : ''}) ${jobs.running}`,
    tooltip: `Orchion: ${nodes.ready} of ${nodes.total} nodes ready · ${jobs.running} jobs running${queued}\nClick to open the dashboard`,
  };
}
