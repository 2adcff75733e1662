// The dashboard's entry point (browser ESM bundle): picks the transport for its host and mounts the shell.
// `<body data-host="vscode">` (see webview-html.ts): messages to the extension; otherwise the web dashboard
// served by the orchestrator: fetch + SSE with a token from localStorage.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { OrchionDashboard } from './components/dashboard';
import { applyTheme, storedTheme } from './components/theme-toggle';
import { BrowserTransport, localTokenStore } from './transport/browser-transport';
import type { Transport } from './transport/transport';
import { VsCodeTransport, type VsCodeApi } from './transport/vscode-transport';

declare function acquireVsCodeApi(): VsCodeApi;

function transportFor(host: string | undefined): Transport {
  if (host === 'vscode') return new VsCodeTransport(acquireVsCodeApi(), window);
  applyTheme(storedTheme());
  return new BrowserTransport('', localTokenStore(localStorage));
}

const app = new OrchionDashboard();
app.transport = transportFor(document.body.dataset.host);
document.body.append(app);
