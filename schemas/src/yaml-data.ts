/**
 * The first layer of every document parser (pipelines, agent configs): YAML problems, duplicate and complex
 * keys, alias bombs and empty documents as diagnostics, then the plain data the document converts to.
 */
import type { Document } from 'yaml';
import { zeroRange, type Diagnostic, type YamlCode } from './diagnostics.js';
import { MAX_ALIAS_COUNT, type SourceDocument } from './source.js';

const PLAIN_DATA = Symbol('orchion.plainData');
type WithPlainData = { [PLAIN_DATA]?: unknown };

/**
 * Gives a parsed document the plain data it converts to, from a parser that built that data itself (the
 * language server's piecewise parser): `readYamlData` then takes it instead of converting the nodes with
 * `toJS` again. The caller vouches that it equals `doc.toJS()` and that the document has no aliases (the check
 * for recursive ones is skipped).
 */
export function setPlainData(doc: Document, data: unknown): void {
  (doc as WithPlainData)[PLAIN_DATA] = data;
}

export interface YamlDataOptions {
  /** The kind of file in messages: `a pipeline file`. */
  file: string;
  /** The message of an empty document: `the document is empty: a pipeline needs …`. */
  emptyMessage: string;
}

export type YamlData =
  /** The plain data, with the warnings and non-fatal errors (duplicate keys) found on the way. */
  | { ok: true; data: unknown; diagnostics: Diagnostic<YamlCode>[] }
  /** No data: `syntax` when the YAML itself is broken (a best-effort reading may still help editors). */
  | { ok: false; syntax: boolean; diagnostics: Diagnostic<YamlCode>[] };

export function readYamlData(source: SourceDocument, o: YamlDataOptions): YamlData {
  const yamlProblems = [...source.yamlDiagnostics(o.file), ...source.complexKeyDiagnostics()];
  if (yamlProblems.some((d) => d.severity === 'error')) {
    return { ok: false, syntax: true, diagnostics: yamlProblems };
  }
  const diagnostics = [...yamlProblems, ...source.duplicateKeyDiagnostics()];
  const doc = source.doc as WithPlainData & Document;
  const preset = PLAIN_DATA in doc; // built by a parser that takes no aliases
  const recursive = preset ? undefined : source.recursiveAliasRange();
  if (recursive !== undefined) {
    diagnostics.push({
      severity: 'error',
      code: 'yaml-alias-limit',
      message: 'this alias is inside the node it refers to: the document would be infinite',
      range: recursive,
    });
    return { ok: false, syntax: false, diagnostics };
  }
  let data: unknown;
  try {
    data = preset ? doc[PLAIN_DATA] : doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const bomb = e instanceof ReferenceError && /alias/i.test(e.message);
    diagnostics.push({
      severity: 'error',
      code: bomb ? 'yaml-alias-limit' : 'yaml-syntax',
      message: bomb
        ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}): the document looks like an alias bomb`
        : `cannot read the YAML: ${e instanceof Error ? e.message : String(e)}`,
      range: bomb ? source.firstAliasRange() : zeroRange(),
    });
    return { ok: false, syntax: false, diagnostics };
  }
  if (data === null || data === undefined) {
    diagnostics.push({
      severity: 'error',
      code: 'empty-document',
      message: o.emptyMessage,
      range: zeroRange(),
    });
    return { ok: false, syntax: false, diagnostics };
  }
  return { ok: true, data, diagnostics };
}

/**
 * The plain data of a document, as far as it converts, whatever its diagnostics (an editor still wants hover and
 * completion in a document with errors); undefined when it does not convert, or would be infinite (an alias
 * inside the node it refers to).
 */
export function bestEffortData(source: SourceDocument): unknown {
  if (source.recursiveAliasRange() !== undefined) return undefined;
  try {
    return source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return undefined;
  }
}

/** The diagnostic reported instead of an exception escaping a parser (a bug). */
export function internalError(what: string, e: unknown): Diagnostic<'internal-error'> {
  return {
    severity: 'error',
    code: 'internal-error',
    message: `internal error while checking the ${what}: ${e instanceof Error ? e.message : String(e)}`,
    range: zeroRange(),
  };
}
