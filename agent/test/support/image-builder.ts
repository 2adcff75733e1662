/**
 * Builds test images without a registry: a `FROM scratch`-style root filesystem assembled from host files (the
 * host's `node` binary, the libraries `ldd` lists, an app, its node_modules) streamed by `tar --dereference` into
 * dockerode's importImage. Images are tagged by a hash of their content and settings, so an image that exists
 * is not built again (repeated test runs import nothing).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';

/** A host file or directory (followed through symlinks) and its absolute path in the image. */
export interface ImageFile {
  from: string;
  to: string;
}

export interface ImageRecipe {
  /** Repository name under orchion-test/. */
  name: string;
  files: ImageFile[];
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workdir?: string;
}

export interface BuiltImage {
  tag: string;
  /** False when an image with this content hash already existed. */
  built: boolean;
  ms: number;
}

/** The monorepo root (the package.json with workspaces), from sources and from bundles alike. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && 'workspaces' in (JSON.parse(readFileSync(pkg, 'utf8')) as object)) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('monorepo root not found');
    dir = up;
  }
}

/** The host's node binary and the shared libraries it needs, at their host paths. */
export function nodeRuntimeFiles(): ImageFile[] {
  const node = process.execPath;
  return [{ from: node, to: '/usr/bin/node' }, ...sharedLibraries([node])];
}

/** What `ldd` lists for these binaries (libraries it cannot find are left out). */
export function sharedLibraries(binaries: string[]): ImageFile[] {
  const libs = new Set<string>();
  for (const bin of binaries) {
    let out = '';
    try {
      out = execFileSync('ldd', [bin], { encoding: 'utf8' });
    } catch {
      continue; // not dynamic
    }
    for (const m of out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)) libs.add(m[1]!);
  }
  return [...libs].sort().map((p) => ({ from: p, to: p }));
}

/**
 * npm packages and the closure of their `dependencies` (resolved from the root node_modules as npm hoists them),
 * under `to`/node_modules. Optional dependencies are not followed (they are mostly other platforms' binaries,
 * e.g. node-llama-cpp's CUDA and Vulkan builds): name the ones wanted.
 */
export function nodeModulesFiles(names: string[], to: string, root = repoRoot()): ImageFile[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const dir = join(root, 'node_modules', name);
    if (!existsSync(join(dir, 'package.json'))) return;
    seen.add(name);
    // The package's own nested node_modules come with its directory; their dependencies may be hoisted.
    for (const pkgDir of [dir, ...nestedPackages(dir)]) dependenciesOf(pkgDir).forEach(visit);
  };
  names.forEach(visit);
  return [...seen]
    .sort()
    .map((name) => ({ from: join(root, 'node_modules', name), to: join(to, 'node_modules', name) }));
}

function dependenciesOf(pkgDir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(pkg.dependencies ?? {});
}

/** Package directories under dir/node_modules, at any depth. */
function nestedPackages(dir: string): string[] {
  const nm = join(dir, 'node_modules');
  if (!existsSync(nm)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(nm)) {
    const dirs = entry.startsWith('@')
      ? readdirSync(join(nm, entry)).map((n) => join(nm, entry, n))
      : [join(nm, entry)];
    for (const d of dirs) {
      if (!existsSync(join(d, 'package.json'))) continue;
      out.push(d, ...nestedPackages(d));
    }
  }
  return out;
}

const hashes = new Map<string, string>();

async function recipeHash(r: ImageRecipe): Promise<string> {
  const key = JSON.stringify(r);
  const known = hashes.get(key);
  if (known) return known;
  const h = createHash('sha256').update(JSON.stringify({ ...r, files: r.files.map((f) => f.to) }));
  for (const f of r.files) await hashPath(h, resolve(f.from), f.to);
  const hex = h.digest('hex').slice(0, 16);
  hashes.set(key, hex);
  return hex;
}

async function hashPath(h: ReturnType<typeof createHash>, from: string, to: string): Promise<void> {
  const st = await stat(from);
  if (st.isDirectory()) {
    for (const name of (await readdir(from)).sort()) await hashPath(h, join(from, name), join(to, name));
    return;
  }
  h.update(`\0${to}\0${st.mode & 0o111 ? 'x' : '-'}\0${st.size}\0`);
  for await (const chunk of createReadStream(from)) h.update(chunk as Buffer);
}

async function hasImage(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

export async function buildImage(docker: Docker, recipe: ImageRecipe): Promise<BuiltImage> {
  const started = Date.now();
  const tag = `orchion-test/${recipe.name}:${await recipeHash(recipe)}`;
  if (await hasImage(docker, tag)) return { tag, built: false, ms: Date.now() - started };
  const stage = await mkdtemp(join(tmpdir(), 'orchion-image-'));
  try {
    for (const f of recipe.files) {
      const dest = join(stage, f.to);
      await mkdir(dirname(dest), { recursive: true });
      await symlink(resolve(f.from), dest);
    }
    // A checkout under /tmp already put a tmp/ folder in the stage.
    await mkdir(join(stage, 'tmp'), { recursive: true });
    await chmod(join(stage, 'tmp'), 0o1777);
    const tar = spawn(
      'tar',
      ['-C', stage, '-c', '-h', '--owner=0', '--group=0', '--numeric-owner', '-f', '-', '.'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let tarErr = '';
    tar.stderr.on('data', (d: Buffer) => (tarErr += d.toString()));
    const tarExit = new Promise<number | null>((r) => tar.on('close', r));
    const changes = [
      ...(recipe.entrypoint ? [`ENTRYPOINT ${JSON.stringify(recipe.entrypoint)}`] : []),
      ...(recipe.cmd ? [`CMD ${JSON.stringify(recipe.cmd)}`] : []),
      ...(recipe.env ?? []).map((e) => `ENV ${e}`),
      ...(recipe.workdir ? [`WORKDIR ${recipe.workdir}`] : []),
    ];
    const out = await docker.importImage(tar.stdout, { repo: tag, ...(changes.length ? { changes } : {}) });
    await new Promise<void>((resolvePromise, reject) => {
      let failure: string | undefined;
      docker.modem.followProgress(
        out,
        (err: unknown) =>
          err || failure ? reject(new Error(`import ${tag}: ${failure ?? String(err)}`)) : resolvePromise(),
        (e: { error?: string }) => (failure ??= e.error),
      );
    });
    const code = await tarExit;
    if (code !== 0) throw new Error(`tar exited with ${code}: ${tarErr.trim()}`);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
  await removeOlderTags(docker, recipe.name, tag);
  return { tag, built: true, ms: Date.now() - started };
}

/** Earlier builds of the same image (other content hashes) are dropped, so the engine's disk use stays bounded. */
async function removeOlderTags(docker: Docker, name: string, keep: string): Promise<void> {
  const images = await docker.listImages({ filters: { reference: [`orchion-test/${name}`] } });
  for (const image of images) {
    for (const t of image.RepoTags ?? []) {
      if (t !== keep)
        await docker
          .getImage(t)
          .remove()
          .catch(() => undefined); // in use: kept
    }
  }
}
