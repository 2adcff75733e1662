// The VS Code extension's builds (see scripts/build.mjs): CommonJS bundles for VS Code's extension host with
// `vscode` external and every other dependency bundled. The core (dist/extension.js) stays small so activation
// is cheap; the pipeline parser and the language client are separate bundles loaded on first use.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'extension/dist');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  sourcemap: 'linked',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
};

/** Sizes of the shipped bundles, printed after each build (and recorded in docs/benchmarks.md). */
export const SHIPPED = ['extension.js', 'pipeline-tools.js', 'language-client.js'];

export const builds = [
  {
    ...common,
    entryPoints: ['extension/src/extension.ts'],
    outfile: 'extension/dist/extension.js',
  },
  {
    ...common,
    entryPoints: ['extension/src/pipeline/index.ts'],
    outfile: 'extension/dist/pipeline-tools.js',
  },
  {
    ...common,
    entryPoints: ['extension/src/language-client/index.ts'],
    outfile: 'extension/dist/language-client.js',
  },
  {
    ...common,
    minify: false,
    // mocha loads its reporters with dynamic requires: it stays external and is found in node_modules.
    external: ['vscode', 'mocha'],
    entryPoints: ['extension/test/host/index.ts'],
    outfile: 'extension/dist/test/host/index.js',
    after,
  },
];

function copyIfPresent(from, to, what) {
  if (!existsSync(from)) {
    console.warn(
      `extension build: ${relative(root, from)} is missing — ${what} not included (build it first)`,
    );
    return false;
  }
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
  return true;
}

async function after() {
  copyIfPresent(join(root, 'language-server/dist/server.js'), join(dist, 'server.js'), 'the language server');
  const webview = join(dist, 'webview');
  rmSync(webview, { recursive: true, force: true });
  copyIfPresent(join(root, 'webview-ui/dist'), webview, 'the dashboard');
  copyFileSync(join(root, 'schemas/pipeline.schema.json'), join(dist, 'pipeline.schema.json'));
  // vscode-languageclient kills a stdio server's process tree with this script on POSIX.
  copyFileSync(
    join(root, 'node_modules/vscode-languageclient/lib/node/terminateProcess.sh'),
    join(dist, 'terminateProcess.sh'),
  );
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const sizes = SHIPPED.map((f) => [f, statSync(join(dist, f)).size]);
  const total = sizes.reduce((s, [, n]) => s + n, 0);
  const server = existsSync(join(dist, 'server.js')) ? statSync(join(dist, 'server.js')).size : 0;
  const webviewSize = existsSync(webview) ? dirSize(webview) : 0;
  console.log(
    `extension bundles: ${sizes.map(([f, n]) => `${f} ${kb(n)}`).join(', ')}; total ${kb(total)} ` +
      `(limit 1024 KiB)${total > 1024 * 1024 ? ' — OVER THE LIMIT' : ''}; server.js ${kb(server)}, webview ${kb(webviewSize)}`,
  );
}

function dirSize(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}
