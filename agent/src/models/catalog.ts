/**
 * The models directory: every `*.gguf` file is a model named after its file stem. Headers are read (and cached
 * by size and mtime) to report each model's shape; a malformed file is reported with `error`, never thrown.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectGgufFile, type GgufModelSummary } from './gguf-inspect.js';
import { TINY_MODEL_FILE, writeTinyModel } from './tiny-model.js';

export interface CatalogEntry {
  name: string;
  path: string;
  sizeBytes: number;
  summary?: GgufModelSummary;
  /** Why llama.cpp could not (safely) load this file; the model must not be loaded when set. */
  error?: string;
}

const GGUF_EXT = '.gguf';

async function listGgufFiles(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir, { withFileTypes: true });
    return names
      .filter((d) => (d.isFile() || d.isSymbolicLink()) && d.name.toLowerCase().endsWith(GGUF_EXT))
      .map((d) => d.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export class ModelCatalog {
  private readonly cache = new Map<string, { key: string; entry: CatalogEntry }>();

  constructor(readonly dir: string) {}

  /** All models in the directory, sorted by name. */
  async list(): Promise<CatalogEntry[]> {
    const files = await listGgufFiles(this.dir);
    const entries = await Promise.all(files.map((f) => this.inspect(f)));
    return entries.filter((e): e is CatalogEntry => e !== undefined);
  }

  /** One model by name (the file stem), or undefined when no such file exists. */
  async get(name: string): Promise<CatalogEntry | undefined> {
    const file = (await listGgufFiles(this.dir)).find((f) => f.slice(0, -GGUF_EXT.length) === name);
    return file === undefined ? undefined : this.inspect(file);
  }

  private async inspect(file: string): Promise<CatalogEntry | undefined> {
    const path = join(this.dir, file);
    const name = file.slice(0, -GGUF_EXT.length);
    let st;
    try {
      st = await stat(path);
    } catch {
      return undefined; // removed meanwhile, or a dangling link
    }
    if (!st.isFile()) return undefined;
    const key = `${st.size}:${st.mtimeMs}`;
    const cached = this.cache.get(path);
    if (cached?.key === key) return cached.entry;
    const entry: CatalogEntry = { name, path, sizeBytes: st.size };
    try {
      const { summary, problems } = await inspectGgufFile(path);
      entry.summary = summary;
      if (problems.length > 0) entry.error = `invalid GGUF: ${problems.join('; ')}`;
    } catch (err) {
      entry.error = `invalid GGUF: ${(err as Error).message}`;
    }
    this.cache.set(path, { key, entry });
    return entry;
  }
}

/**
 * Makes sure the models directory holds at least one model: when it has no `*.gguf` file, writes the tiny
 * random-weight model (see tiny-model.ts). Returns the path written, or null when a model was already there.
 */
export async function ensureDefaultModel(modelsDir: string): Promise<string | null> {
  await mkdir(modelsDir, { recursive: true });
  if ((await listGgufFiles(modelsDir)).length > 0) return null;
  const path = join(modelsDir, TINY_MODEL_FILE);
  await writeTinyModel(path);
  return path;
}
