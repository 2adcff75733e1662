#!/usr/bin/env node
// `orchion` launcher: runs the esbuild bundle (built by `npm install`'s prepare step or `npm run build`).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  console.error('orchion: the CLI is not built yet; run `npm run build` in the Orchion checkout');
  process.exit(1);
}
await import(bundle.href);
