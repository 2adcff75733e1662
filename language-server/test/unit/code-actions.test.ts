import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CodeAction, Diagnostic } from 'vscode-languageserver/node';
import { applyEdits, showRange } from './helpers/format.js';
import { expectGolden } from './helpers/golden.js';
import { startSession, type Session } from './helpers/session.js';

const FIXTURES = join(import.meta.dirname, 'fixtures/code-actions');
const GOLDEN = join(import.meta.dirname, 'golden/code-actions');

/** The changed lines, before and after. */
function lineDiff(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return [
    ...a.slice(start, endA).map((l, i) => `  - ${start + i + 1}: ${l}`),
    ...b.slice(start, endB).map((l, i) => `  + ${start + i + 1}: ${l}`),
  ].join('\n');
}

const same = (d: Diagnostic, e: Diagnostic): boolean =>
  d.code === e.code && showRange(d.range) === showRange(e.range);

describe('code actions (golden files)', () => {
  let session: Session;
  let n = 0;
  beforeAll(async () => {
    session = await startSession();
  });
  afterAll(() => session.dispose());

  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.fixture'))) {
    test(file, async () => {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      const uri = `file:///w/${file.replace(/\.fixture$/, '')}`;
      const { diagnostics } = await session.open(uri, text);
      const out: string[] = [];
      for (const d of diagnostics) {
        const actions = (await session.client.sendRequest('textDocument/codeAction', {
          textDocument: { uri },
          range: d.range,
          context: { diagnostics: [d] },
        })) as CodeAction[];
        for (const a of actions.filter((x) => x.diagnostics?.some((e) => same(d, e)))) {
          const after = applyEdits(text, a.edit!.changes![uri]!);
          out.push(
            `=== [${String(d.code)}] ${showRange(d.range)} → ${a.title}${a.isPreferred ? ' (preferred)' : ''}`,
          );
          out.push(lineDiff(text, after));
          // The fix removes the problem it was offered for.
          const fixed = await session.open(`file:///w/fixed${n++}.orchion.yaml`, after);
          const still = fixed.diagnostics.filter((e) => e.code === d.code && e.message === d.message);
          out.push(still.length === 0 ? '  fixed' : `  NOT FIXED: ${still.map((e) => e.message).join('; ')}`);
          // …and brings no new kind of error (messages may change: they list what is declared).
          const count = (list: Diagnostic[], code: unknown): number =>
            list.filter((e) => e.severity === 1 && e.code === code).length;
          for (const code of new Set(fixed.diagnostics.map((e) => e.code))) {
            if (count(fixed.diagnostics, code) > count(diagnostics, code))
              out.push(`  NEW ERROR: ${String(code)}`);
          }
        }
      }
      const golden = out.join('\n') + '\n';
      expectGolden(join(GOLDEN, file.replace(/\.orchion\.yaml\.fixture$/, '.txt')), golden);
      expect(golden).not.toContain('NOT FIXED');
      expect(golden).not.toContain('NEW ERROR');
    });
  }
});
