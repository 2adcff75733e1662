// Orchion: Open Dashboard — the dashboard in a webview panel.
import type { Services } from '../services';

export function openDashboardCommand(s: Services) {
  return (): void => s.dashboard.show();
}
