import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Document, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { YAML_PARSE_OPTIONS } from '@orchion/schemas';
import { mulberry32 } from '../../../test-support/seeded-random.js';
import {
  ANCHORS_TAGS_DIRECTIVES,
  hasAnchorsTagsDirectives,
  readBlockYaml,
} from '../../src/service/block-yaml/reader.js';
import { PLAIN_STRING_START, SCHEMA, Unsupported, plainData } from '../../src/service/block-yaml/nodes.js';

/** A node tree as plain data: kinds, values, scalar types and every range (comments are not compared). */
function shape(node: unknown): unknown {
  if (node === null || node === undefined) return node;
  if (isPair(node)) return { key: shape(node.key), value: shape(node.value) };
  if (isScalar(node))
    return {
      scalar: node.value,
      type: node.type,
      source: node.source,
      format: node.format,
      range: node.range,
    };
  if (isMap(node) || isSeq(node))
    return {
      [isMap(node) ? 'map' : 'seq']: node.items.map(shape),
      flow: node.flow === true,
      range: node.range,
    };
  return { other: String(node) };
}

function hasDuplicateKeys(node: unknown): boolean {
  if (isPair(node)) return hasDuplicateKeys(node.key) || hasDuplicateKeys(node.value);
  if (isSeq(node)) return node.items.some(hasDuplicateKeys);
  if (!isMap(node)) return false;
  const names = node.items.map((p) => String((p.key as { value?: unknown } | null)?.value));
  return new Set(names).size !== names.length || node.items.some(hasDuplicateKeys);
}

/** The path of the first difference between two shapes, with both sides, or undefined. */
function difference(a: unknown, b: unknown, path: string): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return `${path}: ${JSON.stringify(a)} vs the library's ${JSON.stringify(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = difference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
    );
    if (d !== undefined) return d;
  }
  return undefined;
}

/** The library's result for `text`, or undefined when it reports an error or a warning. */
function library(text: string): unknown {
  const doc = parseDocument(text, YAML_PARSE_OPTIONS);
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  return shape(doc.contents);
}

/** Where the reader gives an answer, it must be the library's; returns whether it answered. */
function agrees(text: string): boolean {
  const fast = readBlockYaml(text);
  if (fast === undefined) return false;
  const expected = library(text);
  expect(expected, `the library rejects what the reader accepted:\n${text}`).toBeDefined();
  const doc = parseDocument(text, YAML_PARSE_OPTIONS);
  expect(fast.duplicateKeys, `duplicate keys in:\n${text}`).toBe(hasDuplicateKeys(doc.contents));
  const whole = new Document();
  whole.contents = fast.root;
  expect(whole.toJS(), `plain data of:\n${text}`).toEqual(doc.toJS());
  // The piecewise parser's own conversion: the same data, keys in the same order.
  const plain = plainData(fast.root);
  expect(plain, `plainData of:\n${text}`).toEqual(doc.toJS());
  expect(JSON.stringify(plain)).toBe(JSON.stringify(doc.toJS()));
  const actual = shape(fast.root);
  const where = difference(actual, expected, '$');
  // BLOCK_YAML_FAIL=FILE keeps the text of a failure for a closer look.
  if (where !== undefined && process.env.BLOCK_YAML_FAIL) writeFileSync(process.env.BLOCK_YAML_FAIL, text);
  expect(where, `${where}\n${text}`).toBeUndefined();
  expect(actual).toEqual(expected);
  return true;
}

const FIXTURES = join(__dirname, 'fixtures/diagnostics');
const EXAMPLES = join(__dirname, '../../../examples');
const corpus = [
  ...readdirSync(FIXTURES).map((f) => readFileSync(join(FIXTURES, f), 'utf8')),
  ...readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => readFileSync(join(EXAMPLES, f), 'utf8')),
];

const SAMPLE = `apiVersion: orchion/v1
kind: Pipeline
metadata:
  name: sample # trailing comment
  title: "Größe — 🚀 ünïcode"
  note: café ✓ déjà-vu, no a#b
  labels: { team: ml, "tier": 'gold' }
inputs:
  topic: { type: string, default: clusters }
  n: { type: integer, default: 0x1F }
  ratio: { type: number, default: 1.5e3 }
defaults:
  model: orchion-tiny

  # a comment after a blank line
steps:
  - id: outline
    retries: 2
    needs: [ a , b,c ]
    prompt: |
      Outline \${{ inputs.topic }}

      in "three" parts: a, b and c
      * a markdown bullet & an ampersand
    options:
      temperature: 0.2
      stop: ['###', "END"]
        # deeper comment
  # between steps
  - id: draft
    needs:
    - outline
    enabled: true
    empty:
    nothing: ~
    when: null
    text: >-
      folded
      lines

        more indented
      back
    quoted: 'it''s'
    url: http://example.com/a#b
    show: Tom & Jerry * 2 !
  -
    id: third
    prompt: >
      x
outputs:
  result: \${{ steps.draft.output }}
`;

describe('block-YAML reader: the same nodes as the yaml library, or no answer', () => {
  test('a sample with every supported construct is read, identically', () => {
    expect(agrees(SAMPLE)).toBe(true);
  });

  test('the fixtures and examples', () => {
    for (const text of corpus) agrees(text);
  });

  test('plain scalars it takes for strings without testing the tags are strings for the library too', () => {
    // Every tag of the core schema (with merge keys) that matches something must match only texts that do not
    // start like a string; probe each tag with texts of every first character.
    const starts = [...Array(95).keys()].map((i) => String.fromCharCode(32 + i)).filter((c) => c !== ' ');
    const tails = ['', '1', 'x', 'ull', 'rue', 'alse', 'o7', 'x1F', 'inf', 'nan', '.5', 'e3', '<'];
    for (const c of starts.filter((c) => PLAIN_STRING_START.test(c))) {
      for (const tail of tails) {
        const text = c + tail;
        const matching = (SCHEMA.tags as { default?: unknown; test?: RegExp }[]).filter(
          (t) => t.default && t.test?.test(text),
        );
        expect(matching, text).toEqual([]);
      }
    }
  });

  test('plainData: the library nodes of the same subset convert as toJS converts them; others are declined', () => {
    for (const text of [
      '__proto__: { polluted: true }\nx: 1\n',
      'null: a\n~: b\n1: c\n0x1F: d\ntrue: e\n1.50: f\n.inf: g\n',
      'a: { b: [1, { c: null }], "d e": \'q\' }\nf: [ ]\ng: { }\n',
      'k:\nk: 2\n', // duplicate keys: the last value, at the first key's place
      '{ : 1 }\n', // an empty key
    ]) {
      const doc = parseDocument(text, YAML_PARSE_OPTIONS);
      const plain = plainData(doc.contents);
      expect(plain, text).toEqual(doc.toJS());
      expect(JSON.stringify(plain), text).toBe(JSON.stringify(doc.toJS()));
      expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    }
    for (const text of ['a: &x 1\nb: *x\n', '<<: { a: 1 }\n', '? [a]\n: 1\n']) {
      expect(() => plainData(parseDocument(text, YAML_PARSE_OPTIONS).contents), text).toThrow(Unsupported);
    }
  });

  test('hasAnchorsTagsDirectives answers as the expression does', () => {
    const texts = [
      ...corpus,
      SAMPLE,
      'a: &x 1\n',
      'a: b*c\n',
      '---\na: 1\n',
      'x: "wait..."\n',
      '...\n',
      'a: 5%\n',
    ];
    for (const text of texts)
      expect(hasAnchorsTagsDirectives(text), text).toBe(ANCHORS_TAGS_DIRECTIVES.test(text));
    expect(hasAnchorsTagsDirectives('a: 1\nb: [c, d]\n')).toBe(false);
  });

  test('declines what it does not handle', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: ! 1\n',
      'a: & x\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: "esc\\n"\n',
      'a: b\n  continued\n',
      'a: "two\n  lines"\n',
      'a:\tb\n',
      'a: b\r\n',
      '? a\n: b\n',
      'a: |2\n   x\n',
      'a: |+\n  x\n\n',
      'a: 1', // no final newline
      '<<: {a: 1}\n',
      '- - a\n',
      'a: b: c\n',
      'just a scalar\n',
      '',
    ]) {
      expect(readBlockYaml(text), text).toBeUndefined();
    }
  });

  // 3,250 edited texts take about 3 s here; BLOCK_YAML_ROUNDS runs more (12× more per 3,000 rounds).
  const ROUNDS = Number(process.env.BLOCK_YAML_ROUNDS ?? 250);
  test(
    'random edits of the sample and the fixtures: wherever the reader answers, it agrees',
    { timeout: 60_000 + ROUNDS * 50 },
    () => {
      const random = mulberry32(Number(process.env.BLOCK_YAML_SEED ?? 20261127));
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const fragments = [
        '',
        '#',
        '# c',
        'x',
        'x # c',
        '- x',
        '-',
        '- a: 1',
        'k: v',
        'k:',
        'k: # c',
        'k: [a, b]',
        'k: {a: 1}',
        'k: []',
        "k: 'q'",
        'k: "q"',
        'k: |',
        'k: >-',
        'k: 12',
        'k: true',
        'k: .inf',
        'k: -1.5',
        'k: 0o17',
        'k: null',
        'k: a:b',
        'k: a #b',
        '"k": v',
        'k:  v  ',
        'k: a & b',
        '* item',
        'k: ! x',
        'k: *x',
        'id: again',
        'name: twice',
        'text',
      ];
      let answered = 0;
      let tried = 0;
      for (const base of [SAMPLE, ...corpus]) {
        const lines = base.split('\n');
        for (let round = 0; round < ROUNDS; round++) {
          const copy = lines.slice();
          const edits = 1 + Math.floor(random() * 3);
          for (let e = 0; e < edits; e++) {
            const at = Math.floor(random() * copy.length);
            const indent = ' '.repeat(Math.floor(random() * 9));
            switch (Math.floor(random() * 5)) {
              case 0:
                copy.splice(at, 0, indent + pick(fragments));
                break;
              case 1:
                copy.splice(at, 1);
                break;
              case 2:
                copy[at] = indent + copy[at]!.trimStart();
                break;
              case 3:
                copy[at] = copy[at]! + pick(['', ' ', ' # c', ':', ' x']);
                break;
              default:
                copy.splice(at, 0, copy[Math.floor(random() * copy.length)]!);
            }
          }
          const text = copy.join('\n');
          tried++;
          if (agrees(text)) answered++;
          // Pieces as the piecewise parser cuts them: one sequence item each, the root indented.
          const starts = [...text.matchAll(/^ {2}- /gm)].map((m) => m.index);
          for (let i = 0; i < starts.length; i++) {
            tried++;
            if (agrees(text.slice(starts[i], starts[i + 1] ?? text.length))) answered++;
          }
        }
      }
      // The reader must answer for a fair share of these (mostly valid) texts, or it is not worth having.
      if (process.env.BLOCK_YAML_ROUNDS) console.log(`answered ${answered} of ${tried}`);
      expect(answered).toBeGreaterThan(tried / 10);
    },
  );
});
