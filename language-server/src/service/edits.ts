/** Text edits on pipeline YAML that keep the user's layout: add a `needs` entry, declare or remove an input. */
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { RawStep, SourceDocument } from '@orchion/schemas';
import type { TextEdit } from './types.js';

function insert(source: SourceDocument, offset: number, newText: string): TextEdit {
  const at = source.position(offset);
  return { range: { start: at, end: at }, newText };
}

function lineStart(text: string, offset: number): number {
  return offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
}

/** `offset` moved back over blanks: block collections' ranges end at the start of the next line. */
function contentEnd(text: string, start: number, offset: number): number {
  let end = offset;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  return end;
}

function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  const end = nl < 0 ? text.length : nl;
  return end > 0 && text[end - 1] === '\r' ? end - 1 : end;
}

/** The text before a node on its line when it is only indentation and list markers (`    - `). */
function linePrefix(text: string, offset: number): string | undefined {
  const prefix = text.slice(lineStart(text, offset), offset);
  return /^[ -]*$/.test(prefix) ? prefix : undefined;
}

/** Adds `target` to the step's `needs`, in the style already used (flow list, block list, scalar, absent). */
export function addNeed(source: SourceDocument, step: RawStep, target: string): TextEdit | undefined {
  const text = source.text;
  const needs = source.locate([...step.path, 'needs']);
  const node = needs?.written ?? needs?.node;
  if (node && isSeq(node) && node.range) {
    if (node.flow) {
      const close = text.lastIndexOf(']', node.range[1]);
      if (close < node.range[0]) return undefined;
      return insert(source, close, node.items.length > 0 ? `, ${target}` : target);
    }
    const last = node.items[node.items.length - 1] as Node | undefined;
    if (!last?.range) return undefined;
    const prefix = linePrefix(text, last.range[0]);
    if (prefix === undefined) return undefined;
    return insert(
      source,
      lineEnd(text, contentEnd(text, last.range[0], last.range[1])),
      `\n${prefix}${target}`,
    );
  }
  if (node && isScalar(node) && node.range) {
    const r = source.range(node.range[0], node.range[1]);
    return { range: r, newText: `[${String(node.value)}, ${target}]` };
  }
  if (needs !== undefined) return undefined; // `needs:` with something unexpected: leave it to the user
  const stepNode = source.locate(step.path)?.node;
  if (!stepNode || !isMap(stepNode)) return undefined;
  const first = stepNode.items[0] as Pair<Node, Node> | undefined;
  const idPair =
    (stepNode.items as Pair<Node, Node>[]).find((p) => isScalar(p.key) && p.key.value === 'id') ?? first;
  if (!idPair?.key?.range) return undefined;
  if (stepNode.flow) {
    const end = idPair.value?.range?.[1] ?? idPair.key.range[1];
    return insert(source, end, `, needs: [${target}]`);
  }
  const column = idPair.key.range[0] - lineStart(text, idPair.key.range[0]);
  const end = idPair.value?.range?.[1] ?? idPair.key.range[1];
  return insert(
    source,
    lineEnd(text, contentEnd(text, idPair.key.range[0], end)),
    `\n${' '.repeat(column)}needs: [${target}]`,
  );
}

/** Declares input `name` (a string) under `inputs`, creating the section before `steps` when there is none. */
export function declareInput(source: SourceDocument, name: string): TextEdit | undefined {
  const text = source.text;
  const inputs = source.locate(['inputs']);
  const declaration = `${name}: { type: string }`;
  const node = inputs?.written ?? inputs?.node;
  if (inputs?.key?.range && node && isMap(node) && node.items.length > 0 && node.range) {
    if (node.flow) {
      const close = text.lastIndexOf('}', node.range[1]);
      return close < 0 ? undefined : insert(source, close, `, ${declaration} `);
    }
    const firstKey = (node.items[0] as Pair<Node, Node>).key;
    if (!firstKey?.range) return undefined;
    const column = firstKey.range[0] - lineStart(text, firstKey.range[0]);
    return insert(
      source,
      lineEnd(text, contentEnd(text, node.range[0], node.range[1])),
      `\n${' '.repeat(column)}${declaration}`,
    );
  }
  if (inputs?.key?.range) {
    if (node && !(isScalar(node) && (node.value === null || node.value === undefined))) return undefined;
    return insert(source, lineEnd(text, inputs.key.range[1]), `\n  ${declaration}`);
  }
  const steps = source.locate(['steps'])?.key;
  const at = steps?.range ? lineStart(text, steps.range[0]) : text.length;
  const lead = at === text.length && text.length > 0 && !text.endsWith('\n') ? '\n' : '';
  return insert(source, at, `${lead}inputs:\n  ${declaration}\n`);
}

/** Removes the declaration of input `name` (the whole section when it is the only one). Block style only. */
export function removeInput(source: SourceDocument, name: string): TextEdit | undefined {
  const text = source.text;
  const section = source.locate(['inputs']);
  const map = section?.node;
  if (!map || !isMap(map) || map.flow || !section.key?.range) return undefined;
  const pairs = map.items as Pair<Node, Node>[];
  const pair = pairs.find((p) => isScalar(p.key) && String(p.key.value) === name);
  if (!pair?.key?.range) return undefined;
  const [from, to] =
    pairs.length === 1
      ? [section.key.range[0], map.range?.[1] ?? section.key.range[1]]
      : [pair.key.range[0], pair.value?.range?.[1] ?? pair.key.range[1]];
  const start = lineStart(text, from);
  if (text.slice(start, from).trim() !== '') return undefined;
  const end = lineEnd(text, contentEnd(text, from, to));
  const next = text.indexOf('\n', end);
  return { range: source.range(start, next < 0 ? text.length : next + 1), newText: '' };
}
