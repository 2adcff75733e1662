/**
 * The images container tests and the container benchmark use, built locally from host files (see
 * image-builder.ts) and cached by content hash:
 * - fake-server: node + fake-server.mjs (just enough Ollama/OpenAI API; vLLM-style args or OLLAMA_HOST);
 * - silent-server: the same, but it never listens (health timeouts);
 * - tiny: one file, to push to the loopback registry and pull back;
 * - model-server: node + model-server/dist + its node_modules (node-llama-cpp with its linux-x64 binaries),
 *   started through model-server-entry.mjs (OLLAMA_HOST → --port); only once model-server/dist/server.js exists;
 * - vllm-standin: the same files started through vllm-standin-entry.mjs, taking `vllm serve` arguments and serving
 *   the OpenAI API: a stand-in for vllm/vllm-openai, which cannot be downloaded here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModules } from 'node:module';
import type Docker from 'dockerode';
import {
  buildImage,
  nodeModulesFiles,
  nodeRuntimeFiles,
  repoRoot,
  sharedLibraries,
  type BuiltImage,
  type ImageFile,
} from './image-builder';

const support = () => join(repoRoot(), 'agent/test/support');

const fakeServerFiles = (): ImageFile[] => [
  ...nodeRuntimeFiles(),
  { from: join(support(), 'fake-server.mjs'), to: '/app/fake-server.mjs' },
];

export const fakeServerImage = (docker: Docker): Promise<BuiltImage> =>
  buildImage(docker, {
    name: 'fake-server',
    files: fakeServerFiles(),
    entrypoint: ['node', '/app/fake-server.mjs'],
  });

export const silentServerImage = (docker: Docker): Promise<BuiltImage> =>
  buildImage(docker, {
    name: 'silent-server',
    files: fakeServerFiles(),
    entrypoint: ['node', '/app/fake-server.mjs', '--never-listen'],
  });

export const tinyImage = (docker: Docker): Promise<BuiltImage> =>
  buildImage(docker, {
    name: 'tiny',
    files: [{ from: join(support(), 'fake-server.mjs'), to: '/data/file.txt' }],
  });

export const modelServerDist = (): string => join(repoRoot(), 'model-server/dist');

export const hasModelServer = (): boolean => existsSync(join(modelServerDist(), 'server.js'));

/** Bare package names the bundle imports at run time (its externals). */
function bundleExternals(dist: string): string[] {
  const builtins = new Set(builtinModules);
  const names = new Set<string>();
  for (const file of readdirSync(dist).filter((f) => /\.(c|m)?js$/.test(f))) {
    const src = readFileSync(join(dist, file), 'utf8');
    for (const m of src.matchAll(
      /(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"](@?[a-z0-9][\w.@/-]*)['"]/g,
    )) {
      const spec = m[1]!;
      if (spec.startsWith('node:') || builtins.has(spec)) continue;
      names.add(
        spec
          .split('/')
          .slice(0, spec.startsWith('@') ? 2 : 1)
          .join('/'),
      );
    }
  }
  return [...names];
}

export const modelServerImage = (docker: Docker): Promise<BuiltImage> =>
  modelServerBased(docker, 'model-server', 'model-server-entry.mjs');

/** model-server behind the vLLM image's command-line convention (a stand-in for vllm/vllm-openai). */
export const vllmStandInImage = (docker: Docker): Promise<BuiltImage> =>
  modelServerBased(docker, 'vllm-standin', 'vllm-standin-entry.mjs');

function modelServerBased(docker: Docker, name: string, entry: string): Promise<BuiltImage> {
  const dist = modelServerDist();
  const modules = nodeModulesFiles(
    [...new Set(['node-llama-cpp', '@node-llama-cpp/linux-x64', ...bundleExternals(dist)])],
    '/app',
  );
  const nativeBins = modules.flatMap((m) => findNative(m.from));
  return buildImage(docker, {
    name,
    files: [
      ...nodeRuntimeFiles(),
      ...sharedLibraries(nativeBins).filter((l) => !nodeRuntimeFiles().some((n) => n.to === l.to)),
      { from: dist, to: '/app/model-server/dist' },
      { from: join(support(), entry), to: '/app/entry.mjs' },
      ...modules,
    ],
    entrypoint: ['node', '/app/entry.mjs'],
  });
}

/** Native addons and shared objects under a package (their libraries go into the image too). */
function findNative(dir: string, depth = 0): string[] {
  if (depth > 6) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') out.push(...findNative(p, depth + 1));
    else if (e.isFile() && /\.(node|so(\.\d+)*)$/.test(e.name)) out.push(p);
  }
  return out;
}
