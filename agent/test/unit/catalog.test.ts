import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDefaultModel, ModelCatalog, TINY_MODEL_FILE, writeTinyModel } from '../../src/models/index.js';
import { tinyModelWithout } from './helpers/broken-models.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orchion-catalog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ModelCatalog', () => {
  it('lists *.gguf files by stem, with an error for malformed ones, and ignores the rest', async () => {
    await writeTinyModel(join(dir, 'good.gguf'));
    await writeFile(join(dir, 'empty.gguf'), '');
    await writeFile(join(dir, 'no-heads.gguf'), tinyModelWithout({ keys: ['llama.attention.head_count'] }));
    await writeFile(join(dir, 'notes.txt'), 'not a model');
    await mkdir(join(dir, 'folder.gguf'));
    const entries = await new ModelCatalog(dir).list();
    expect(entries.map((e) => e.name)).toEqual(['empty', 'good', 'no-heads']);
    const [empty, good, noHeads] = entries;
    expect(good).toMatchObject({ summary: { architecture: 'llama', embeddingLength: 64 } });
    expect(good?.error).toBeUndefined();
    expect(empty?.error).toMatch(/^invalid GGUF: .*too small/);
    expect(noHeads?.error).toMatch(/missing metadata llama\.attention\.head_count/);
  });

  it('finds a model by name, notices a replaced file and reports a missing directory as empty', async () => {
    const catalog = new ModelCatalog(dir);
    expect(await catalog.get('m')).toBeUndefined();
    await writeFile(join(dir, 'm.gguf'), 'junk');
    expect((await catalog.get('m'))?.error).toBeDefined();
    await writeTinyModel(join(dir, 'm.gguf'));
    expect((await catalog.get('m'))?.error).toBeUndefined();
    expect(await catalog.get('../m')).toBeUndefined();
    expect(await new ModelCatalog(join(dir, 'missing')).list()).toEqual([]);
  });
});

describe('ensureDefaultModel', () => {
  it('writes the tiny model into an empty (or missing) directory, and only then', async () => {
    const models = join(dir, 'models');
    expect(await ensureDefaultModel(models)).toBe(join(models, TINY_MODEL_FILE));
    expect(await ensureDefaultModel(models)).toBeNull();
    expect(await readdir(models)).toEqual([TINY_MODEL_FILE]);
    const other = join(dir, 'other');
    await mkdir(other);
    await writeFile(join(other, 'mine.gguf'), 'whatever');
    expect(await ensureDefaultModel(other)).toBeNull();
  });
});
