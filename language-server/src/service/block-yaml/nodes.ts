/**
 * The `yaml` library's nodes as the block-YAML reader builds them: scalars resolved the way the library's core
 * schema resolves them (with that schema's own tags), block scalar (`|`, `>`) values by the library's composer's
 * algorithm (ported), and collections and pairs made without the library's constructors (see below).
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Schema } from 'yaml';
import { YAML_PARSE_OPTIONS } from '@orchion/schemas';

/** Thrown to give up on a text the reader does not handle; the caller parses it with the `yaml` library. */
export class Unsupported extends Error {}
export const UNSUPPORTED = new Unsupported('not in the block-YAML subset');

const template = new Document(null, YAML_PARSE_OPTIONS);
/** The schema (YAML 1.2 core, with merge keys) and options every node is resolved with. */
export const SCHEMA: Schema = template.schema;
const OPTIONS = template.options;

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  format?: string;
  resolve(value: string, onError: (message: string) => void, options: unknown): unknown;
}
/*
 * Node construction without the library's constructors, which define their type tag with
 * `Object.defineProperty` (about a tenth of a large open in a profile). The tag is the library's cross-copy
 * protocol (`Symbol.for('yaml.node.type')`, read by `isScalar`, `isMap`, …); the prototypes are the library's
 * classes, so every method works. The tag is a plain own property here (the library's is non-enumerable).
 */
const NODE_TYPE = Symbol.for('yaml.node.type');
type Tagged = Record<symbol, unknown>;
const SCALAR_TAG = Symbol.for('yaml.scalar');
const MAP_TAG = Symbol.for('yaml.map');
const SEQ_TAG = Symbol.for('yaml.seq');
const PAIR_TAG = Symbol.for('yaml.pair');

function newScalar(value: unknown): Scalar {
  const node = Object.create(Scalar.prototype) as Scalar & Tagged;
  node[NODE_TYPE] = SCALAR_TAG;
  node.value = value;
  return node;
}

function newCollection<T extends YAMLMap | YAMLSeq>(prototype: T, tag: symbol): T {
  const node = Object.create(prototype) as T & Tagged & { schema: Schema };
  node[NODE_TYPE] = tag;
  node.schema = SCHEMA;
  node.items = [];
  return node;
}

export const newMap = (): YAMLMap => newCollection(YAMLMap.prototype, MAP_TAG);
export const newSeq = (): YAMLSeq => newCollection(YAMLSeq.prototype, SEQ_TAG);

export function newPair(key: unknown, value: unknown): Pair {
  const node = Object.create(Pair.prototype) as Pair & Tagged;
  node[NODE_TYPE] = PAIR_TAG;
  node.key = key;
  node.value = value;
  return node;
}

/**
 * A plain scalar starting with one of these characters can only be a string in the core schema: its null, bool,
 * int and float forms (and the merge key `<<`) all start with `~`, `n`/`N`, `t`/`T`, `f`/`F`, a digit, `+`, `-`,
 * `.` or `<`. Most keys and values skip the tag tests this way (a unit test checks that the tags agree).
 */
export const PLAIN_STRING_START = /^[^~nNtTfF0-9+\-.<]/;
const TAGS = SCHEMA.tags as unknown as ScalarTag[];
const failed = (): void => {
  throw UNSUPPORTED;
};

/** A scalar node with the fields the `yaml` composer sets. */
export function scalarNode(
  value: string,
  type: Scalar.Type,
  range: [number, number, number],
  atKey: boolean,
): Scalar {
  let node: Scalar;
  if (type === 'PLAIN' && (value === '' || !PLAIN_STRING_START.test(value))) {
    let tag: ScalarTag | undefined;
    for (const t of TAGS) {
      if ((t.default === true || (atKey && t.default === 'key')) && t.test?.test(value)) {
        tag = t;
        break;
      }
    }
    if (tag === undefined) node = newScalar(value);
    else {
      if (atKey && tag.default === 'key') throw UNSUPPORTED; // a merge key (`<<`)
      const res = tag.resolve(value, failed, OPTIONS);
      node = res instanceof Scalar ? res : newScalar(res);
      if (tag.format) node.format = tag.format;
    }
  } else node = newScalar(value);
  node.range = range;
  node.source = value;
  node.type = type;
  return node;
}

/**
 * The value of a block scalar from its header (`|`, `>-`, …: no indentation indicator) and its lines, each as
 * [indentation, content]; the same algorithm as the `yaml` composer's. Throws `UNSUPPORTED` where that composer
 * would report an error.
 */
export function blockScalarValue(
  folded: boolean,
  chomp: '' | '-' | '+',
  lines: [string, string][],
  trimMin: number,
): string {
  let chompStart = lines.length;
  for (let i = lines.length - 1; i >= 0; --i) {
    if (lines[i]![1] === '') chompStart = i;
    else break;
  }
  if (chompStart === 0) throw UNSUPPORTED; // no content at all
  let trimIndent = trimMin;
  let contentStart = 0;
  for (let i = 0; i < chompStart; ++i) {
    const [indent, content] = lines[i]!;
    if (content === '') {
      if (indent.length > trimIndent) trimIndent = indent.length;
    } else {
      if (indent.length < trimIndent) throw UNSUPPORTED; // more-indented leading empty lines
      trimIndent = indent.length;
      contentStart = i;
      break;
    }
  }
  for (let i = lines.length - 1; i >= chompStart; --i) {
    if (lines[i]![0].length > trimIndent) chompStart = i + 1;
  }
  let value = '';
  let sep = '';
  let prevMoreIndented = false;
  for (let i = 0; i < contentStart; ++i) value += lines[i]![0].slice(trimIndent) + '\n';
  for (let i = contentStart; i < chompStart; ++i) {
    const [indent, content] = lines[i]!;
    if (content !== '' && indent.length < trimIndent) throw UNSUPPORTED;
    if (!folded) {
      value += sep + indent.slice(trimIndent) + content;
      sep = '\n';
    } else if (indent.length > trimIndent) {
      if (sep === ' ') sep = '\n';
      else if (!prevMoreIndented && sep === '\n') sep = '\n\n';
      value += sep + indent.slice(trimIndent) + content;
      sep = '\n';
      prevMoreIndented = true;
    } else if (content === '') {
      if (sep === '\n') value += '\n';
      else sep = '\n';
    } else {
      value += sep + content;
      sep = ' ';
      prevMoreIndented = false;
    }
  }
  switch (chomp) {
    case '-':
      break;
    case '+':
      for (let i = chompStart; i < lines.length; ++i) value += '\n' + lines[i]![0].slice(trimIndent);
      if (value[value.length - 1] !== '\n') value += '\n';
      break;
    default:
      value += '\n';
  }
  return value;
}

/**
 * The plain data of a tree of scalars, maps with scalar keys and sequences (what the reader builds, and what the
 * library builds for the same subset): what the library's `toJS` gives for it, without that function's general
 * machinery (anchors, merge keys, a context per call), which took a tenth of a large open. Throws `UNSUPPORTED`
 * on anything else (aliases, collection keys, merge keys). Recursive, as deep as the tree: the reader's own
 * recursion built it.
 */
export function plainData(node: unknown): unknown {
  if (node === null) return null;
  // The node's type tag, read once (what `isScalar`, `isMap` and `isSeq` each read).
  const type = typeof node === 'object' ? (node as Tagged)[NODE_TYPE] : undefined;
  if (type === SCALAR_TAG) {
    const value = (node as Scalar).value;
    if (value !== null && typeof value === 'object') throw UNSUPPORTED;
    return value;
  }
  if (type === MAP_TAG) {
    const out: Record<string, unknown> = {};
    for (const pair of (node as YAMLMap).items) {
      const key = pair.key as Tagged | null;
      if (key === null || key[NODE_TYPE] !== SCALAR_TAG) throw UNSUPPORTED;
      const k = (key as unknown as Scalar).value;
      // A merge key's value is a symbol (the library merges its map in); collections and the like are declined.
      const t = typeof k;
      if (k !== null && t !== 'string' && t !== 'number' && t !== 'boolean') throw UNSUPPORTED;
      const name = k === null ? '' : String(k);
      if (name === '<<') throw UNSUPPORTED; // `<<` as a plain string key only without merge keys: not ours
      const value = plainData(pair.value);
      // As the library does: `__proto__` becomes an own property, not the prototype.
      if (name === '__proto__')
        Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
      else out[name] = value;
    }
    return out;
  }
  if (type === SEQ_TAG) {
    const items = (node as YAMLSeq).items;
    const out = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = plainData(items[i]);
    return out;
  }
  throw UNSUPPORTED;
}
