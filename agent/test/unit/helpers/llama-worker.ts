/**
 * Builds the embedded runtime's worker (agent/dist/llama-worker.js) from the current sources, as
 * scripts/build.mjs does, so the tests run the code under test. Written atomically: test files may build it
 * concurrently.
 */
import * as esbuild from 'esbuild';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const agentDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export async function buildLlamaWorker(): Promise<string> {
  const outfile = join(agentDir, 'dist', 'llama-worker.js');
  const result = await esbuild.build({
    entryPoints: [join(agentDir, 'src', 'runtimes', 'embedded', 'worker.ts')],
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
  await rename(tmp, outfile);
  return outfile;
}
