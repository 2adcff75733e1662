/**
 * Model names and facts as the two APIs show them. Ollama names carry a tag (`orchion-tiny:latest`); the runtime
 * names a model after its GGUF file stem, so `x:latest` and `x` are the same model. Digests are not content
 * hashes (hashing multi-GB files on every listing would be slow): they are stable per file name, size and mtime.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelInfo } from './agent.js';

export const DEFAULT_TAG = 'latest';

/** The Ollama name of a runtime model: its name with `:latest` added when it has no tag. */
export const taggedName = (name: string): string => (name.includes(':') ? name : `${name}:${DEFAULT_TAG}`);

/**
 * The runtime's name for a requested model: an exact match, else the name without its `:latest` tag. Unknown
 * names are returned as given (the runtime then answers 'model-not-found').
 */
export function resolveModelName(requested: string, models: readonly ModelInfo[]): string {
  if (models.some((m) => m.name === requested)) return requested;
  const suffix = `:${DEFAULT_TAG}`;
  if (requested.endsWith(suffix)) {
    const bare = requested.slice(0, -suffix.length);
    if (models.some((m) => m.name === bare)) return bare;
  }
  return requested;
}

export interface ModelFile {
  path: string;
  size: number;
  modifiedAt: Date;
  /** `sha256:` + 64 hex digits, stable for one file version. */
  digest: string;
}

/** The GGUF file behind a model of the models dir, when there is one. */
export async function modelFile(modelsDir: string | undefined, name: string): Promise<ModelFile | undefined> {
  if (!modelsDir) return undefined;
  const path = join(modelsDir, `${name}.gguf`);
  try {
    const st = await stat(path);
    return { path, size: st.size, modifiedAt: st.mtime, digest: fileDigest(name, st.size, st.mtimeMs) };
  } catch {
    return undefined;
  }
}

/** The mtime counts in whole seconds: a copy that keeps it (utimes, sub-µs rounding) keeps the digest. */
export const fileDigest = (name: string, size: number, mtimeMs: number): string =>
  `sha256:${createHash('sha256')
    .update(`${name}\0${size}\0${Math.round(mtimeMs / 1000)}`)
    .digest('hex')}`;

/** Ollama's `details` block. */
export interface ModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[] | null;
  parameter_size: string;
  quantization_level: string;
}

export function modelDetails(
  m: ModelInfo,
  extra: { parameters?: number; fileType?: string } = {},
): ModelDetails {
  const family = m.architecture ?? '';
  return {
    parent_model: '',
    format: 'gguf',
    family,
    families: family ? [family] : null,
    parameter_size: extra.parameters === undefined ? '' : formatParameters(extra.parameters),
    quantization_level: extra.fileType ?? '',
  };
}

/** 1234567 → "1.2M", as Ollama shows parameter counts. */
export function formatParameters(n: number): string {
  for (const [unit, size] of [
    ['B', 1e9],
    ['M', 1e6],
    ['K', 1e3],
  ] as const) {
    if (n >= size) return `${(n / size).toFixed(n >= size * 10 ? 0 : 1)}${unit}`;
  }
  return String(n);
}

/** A date far enough ahead to mean "never" (what Ollama shows for a negative keep_alive). */
export const NEVER = new Date('2318-01-01T00:00:00Z');

export const expiryDate = (at: number): Date => (Number.isFinite(at) ? new Date(at) : NEVER);
