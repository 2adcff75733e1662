// Bundles each runnable entry point with esbuild. Workspace packages (@orchion/*) are bundled from
// their TypeScript sources; npm dependencies stay external and load from node_modules at run time.
import * as esbuild from 'esbuild';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Entry points: [source, output]. Later packages add theirs here. */
export const entries = [
  ['orchestrator/src/cli/main.ts', 'orchestrator/dist/cli.js'],
  ['agent/src/runtimes/embedded/worker.ts', 'agent/dist/llama-worker.js'],
  ['model-server/src/main.ts', 'model-server/dist/server.js'],
  // The server's own copy of the worker, so model-server/dist is self-contained (container images).
  ['agent/src/runtimes/embedded/worker.ts', 'model-server/dist/llama-worker.js'],
  // Every bench/*.ts is a benchmark entry point (`npm run bench:<name>`).
  ...readdirSync(join(root, 'bench'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => [`bench/${f}`, `bench/dist/${f.replace(/\.ts$/, '.js')}`]),
];

/**
 * Pure-JS libraries our workspace packages use are bundled, so each runs with the version its package declared
 * (e.g. Ajv 8 for schemas, while eslint hoists Ajv 6 to the root). Everything else imported by our sources
 * (native addons, servers, node-llama-cpp) stays external and loads from node_modules at run time.
 */
const BUNDLED = new Set(['ajv', 'yaml']);
const packageName = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

const externalDeps = {
  name: 'external-deps',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@orchion/')) return undefined;
      // Imports made inside a bundled library belong to it: bundle them too.
      if (args.importer.includes('/node_modules/')) return undefined;
      if (BUNDLED.has(packageName(args.path))) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * Packages whose output is not a Node ESM bundle (the VS Code extension, the language server, the dashboard)
 * describe their own builds in `<package>/build.config.mjs`, exporting `builds`: esbuild options (paths
 * relative to the repository root) with an optional `after()` hook (e.g. copying static assets).
 */
const PACKAGE_CONFIGS = ['language-server', 'webview-ui', 'extension'];
const packageBuilds = [];
for (const pkg of PACKAGE_CONFIGS) {
  const file = join(root, pkg, 'build.config.mjs');
  if (!existsSync(file)) continue;
  const { builds } = await import(pathToFileURL(file).href);
  packageBuilds.push(...builds);
}

const watch = process.argv.includes('--watch');
const packageOptions = ({ after: _after, ...options }) => ({
  ...options,
  absWorkingDir: root,
  logLevel: options.logLevel ?? 'warning',
});
const contexts = await Promise.all([
  ...packageBuilds.map((b) => esbuild.context(packageOptions(b))),
  ...entries.map(([src, out]) =>
    esbuild.context({
      entryPoints: [join(root, src)],
      outfile: join(root, out),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      sourcemap: 'linked',
      logLevel: 'warning',
      plugins: [externalDeps],
      // Bundled CommonJS code (ajv, yaml) calls require(); give the ESM bundle one.
      banner: {
        js: "#!/usr/bin/env node\nimport { createRequire as __orchionRequire } from 'node:module';\nconst require = __orchionRequire(import.meta.url);",
      },
    }),
  ),
]);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching');
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  for (const [, out] of entries) chmodSync(join(root, out), 0o755);
  for (const b of packageBuilds) await b.after?.();
}
