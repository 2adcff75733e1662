/**
 * Loads Ajv 8's JSON Schema 2020-12 validator (`ajv/dist/2020`).
 *
 * The repository root's `node_modules/ajv` is Ajv 6 (hoisted there for eslint) and @orchion/agent does not
 * declare ajv itself yet, so a plain import would find the wrong major. Until the agent declares `ajv@^8`, this
 * falls back to the Ajv 8 installed for @orchion/schemas (found through the node_modules lookup paths).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface AjvErrorObject {
  instancePath: string;
  message?: string;
}

export interface AjvValidateFunction {
  (data: unknown): boolean;
  errors?: AjvErrorObject[] | null;
}

export interface AjvInstance {
  compile(schema: object): AjvValidateFunction;
  errorsText(errors?: AjvErrorObject[] | null, options?: { separator?: string }): string;
}

export type AjvConstructor = new (options?: Record<string, unknown>) => AjvInstance;

let cached: AjvConstructor | undefined;

export function loadAjv2020(): AjvConstructor {
  if (cached) return cached;
  const req = createRequire(import.meta.url);
  const candidates = ['ajv/dist/2020'];
  for (const dir of req.resolve.paths('ajv') ?? []) {
    const viaSchemas = join(dir, '@orchion', 'schemas', 'node_modules', 'ajv', 'dist', '2020.js');
    if (existsSync(viaSchemas)) candidates.push(viaSchemas);
  }
  for (const id of candidates) {
    try {
      const mod = req(id) as { default?: AjvConstructor } & AjvConstructor;
      cached = mod.default ?? mod;
      return cached;
    } catch {
      // wrong major (no dist/2020) or not installed: try the next candidate
    }
  }
  throw new Error('Ajv 8 (ajv/dist/2020) is not installed: add "ajv": "^8" to @orchion/agent');
}
