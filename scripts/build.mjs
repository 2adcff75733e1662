// Bundles each runnable entry point with esbuild. Workspace packages (@orchion/*) are bundled from
// their TypeScript sources; npm dependencies stay external and load from node_modules at run time.
import * as esbuild from 'esbuild';
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Entry points: [source, output]. Later packages add theirs here. */
export const entries = [
  ['orchestrator/src/cli/main.ts', 'orchestrator/dist/cli.js'],
  ['agent/src/runtimes/embedded/worker.ts', 'agent/dist/llama-worker.js'],
  ['bench/control-plane.ts', 'bench/dist/control-plane.js'],
];

const externalDeps = {
  name: 'external-deps',
  setup(build) {
    // Bare imports that are not our workspace packages are resolved by Node at run time.
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@orchion/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

const watch = process.argv.includes('--watch');
const contexts = await Promise.all(
  entries.map(([src, out]) =>
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
      banner: { js: '#!/usr/bin/env node' },
    }),
  ),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching');
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  for (const [, out] of entries) chmodSync(join(root, out), 0o755);
}
