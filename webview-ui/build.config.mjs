// The dashboard's build (see scripts/build.mjs): one browser ESM bundle with every dependency (lit,
// @vscode-elements/elements, the API package's SSE parser), one stylesheet, and the web page. The orchestrator
// serves a copy from orchestrator/dist/dashboard/ (next to its bundled cli.js); the extension copies dist/ too.
import { copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'webview-ui/dist');

const common = {
  bundle: true,
  minify: true,
  legalComments: 'none',
  target: ['chrome120', 'firefox121', 'safari17.2'],
  logLevel: 'warning',
};

export const builds = [
  {
    ...common,
    entryPoints: ['webview-ui/src/main.ts'],
    outfile: 'webview-ui/dist/dashboard.js',
    format: 'esm',
    platform: 'browser',
    // lit's dev-mode warnings stay out of the bundle.
    conditions: ['production'],
    define: { 'process.env.NODE_ENV': '"production"' },
  },
  {
    ...common,
    entryPoints: ['webview-ui/src/styles/dashboard.css'],
    outfile: 'webview-ui/dist/dashboard.css',
    after() {
      mkdirSync(dist, { recursive: true });
      copyFileSync(join(root, 'webview-ui/static/index.html'), join(dist, 'index.html'));
      const served = join(root, 'orchestrator/dist/dashboard');
      rmSync(served, { recursive: true, force: true });
      cpSync(dist, served, { recursive: true });
    },
  },
];
