// Packages the extension as artifacts/orchion-<version>.vsix with @vscode/vsce (offline). Run through
// `npm run package` (root), which builds first. Everything the extension runs is bundled into dist/, so the
// VSIX holds only dist and metadata (see .vscodeignore) and no node_modules (--no-dependencies).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const extDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(extDir, '..');
const { version, name } = JSON.parse(readFileSync(join(extDir, 'package.json'), 'utf8'));
const out = join(root, 'artifacts', `${name}-${version}.vsix`);

const required = [
  'dist/extension.js',
  'dist/pipeline-tools.js',
  'dist/language-client.js',
  'dist/pipeline.schema.json',
];
const optional = { 'dist/server.js': 'the language server', 'dist/webview/dashboard.js': 'the dashboard' };
for (const f of required) {
  if (!existsSync(join(extDir, f))) {
    console.error(`package: extension/${f} is missing — run \`node scripts/build.mjs\` first`);
    process.exit(1);
  }
}
for (const [f, what] of Object.entries(optional)) {
  if (!existsSync(join(extDir, f)))
    console.warn(`package: warning: extension/${f} is missing — ${what} is not in the VSIX`);
}

mkdirSync(dirname(out), { recursive: true });
const require = createRequire(import.meta.url);
const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], {
  cwd: extDir,
  stdio: 'inherit',
  env: { ...process.env, VSCE_TELEMETRY: 'off' },
});
if (r.status !== 0) {
  console.error(`package: vsce failed (exit ${r.status ?? r.signal})`);
  process.exit(r.status ?? 1);
}
console.log(`package: ${relative(root, out)} (${(statSync(out).size / 1024).toFixed(1)} KiB)`);
