// The status bar's text (pure).

/** The status bar's text and tooltip (pure). */
export function statusText(
  connected: boolean,
  nodes: { ready: number; total: number },
  jobs: { running: number; queued: number },
): { text: string; tooltip: string } {
  if (!connected)
    return { text: '$(debug-disconnect) Orchion', tooltip: 'Orchion: not connected — click to connect' };
  const queued = jobs.queued ? ` · ${jobs.queued} queued` : '';
  return {
    text: `$(server) ${nodes.ready}/${nodes.total} $(sync${jobs.running ? '~spin' : ''}) ${jobs.running}`,
    tooltip: `Orchion: ${nodes.ready} of ${nodes.total} nodes ready · ${jobs.running} jobs running${queued}\nClick to open the dashboard`,
  };
}
