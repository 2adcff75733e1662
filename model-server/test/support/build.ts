/**
 * Builds the server bundle (model-server/dist/server.js, with its llama worker beside it) from the current
 * sources, as scripts/build.mjs does, so child-process tests run the code under test. Written atomically: test
 * files may build concurrently.
 */
import * as esbuild from 'esbuild';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function bundle(entry: string, out: string): Promise<string> {
  const outfile = join(root, out);
  const result = await esbuild.build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    write: false,
    logLevel: 'warning',
  });
  await mkdir(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, result.outputFiles[0]!.contents);
  await chmod(tmp, 0o755);
  await rename(tmp, outfile);
  return outfile;
}

/** The path of the freshly built server bundle. */
export async function buildServer(): Promise<string> {
  await bundle('agent/src/runtimes/embedded/worker.ts', 'model-server/dist/llama-worker.js');
  return bundle('model-server/src/main.ts', 'model-server/dist/server.js');
}
