// The language server as one self-contained CommonJS file: every dependency (vscode-languageserver, yaml, ajv,
// the workspace packages) is bundled, so `node language-server/dist/server.js --stdio` runs from any checkout
// or extension package without node_modules.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), 'dist');
// yaml's ES module build (the same code as its CommonJS one): bundled from ESM, its functions are called directly
// instead of through CommonJS interop getters, which cost about 6 % of an open in a profile.
const yamlEsm = join(
  dirname(createRequire(import.meta.url).resolve('yaml/package.json')),
  'browser/index.js',
);

export const builds = [
  {
    entryPoints: ['language-server/src/main.ts'],
    outfile: 'language-server/dist/server.js',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    // `with { type: 'json' }` imports (the pipeline schema) are inlined.
    loader: { '.json': 'json' },
    alias: { yaml: yamlEsm },
    // The package is `"type": "module"`: mark dist/ as CommonJS so Node loads server.js as such.
    after() {
      mkdirSync(dist, { recursive: true });
      writeFileSync(join(dist, 'package.json'), '{ "type": "commonjs" }\n');
    },
  },
];
