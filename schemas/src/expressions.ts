/**
 * `${{ … }}` expressions: finding them in text (with offsets, for diagnostics and the language server),
 * parsing their reference paths, and rendering templates at run time.
 *
 * An expression is a dotted reference path: `inputs.<name>[.<field>…]`, `steps.<id>.output[.<field>…]`
 * or `steps.<id>.outputs.<field>[…]`. `$${{` writes a literal `${{`.
 */

export interface ExpressionMatch {
  /** Offset of `${{` in the searched text. */
  start: number;
  /** Offset just past `}}` (the end of the text when unterminated). */
  end: number;
  /** The text between the braces, trimmed. */
  body: string;
  /** Offsets of the trimmed body in the searched text. */
  bodyStart: number;
  bodyEnd: number;
  /** The reference path, when the body is one. */
  path?: string[];
  /** Why the expression cannot be parsed, when it cannot. */
  error?: string;
}

const OPEN = '${{';
const CLOSE = '}}';
const SEGMENT = /^(?:[A-Za-z_][A-Za-z0-9_-]*|\d+)$/;

/** Parses an expression body (`steps.a.output`) into its path segments. */
export function parseReference(body: string): { path: string[] } | { error: string } {
  const text = body.trim();
  if (text === '') return { error: 'empty expression' };
  if (text.includes('${{')) return { error: 'expressions cannot be nested' };
  const segments = text.split('.');
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) {
      return {
        error:
          segment === ''
            ? `invalid reference "${text}": empty path segment`
            : `invalid reference "${text}": expected a dotted path such as inputs.name or steps.id.output`,
      };
    }
  }
  return { path: segments };
}

/**
 * All `${{ … }}` expressions in `text`, in order. Escaped `$${{` is skipped. `parse: false` leaves out `path` and
 * `error` (for callers that only need where the expressions are). `from` and `to` search only that part of the
 * text, as if it were sliced out (offsets stay the text's).
 */
export function findExpressions(text: string, parse = true, from = 0, to = text.length): ExpressionMatch[] {
  const out: ExpressionMatch[] = [];
  let at = from;
  for (;;) {
    const start = text.indexOf(OPEN, at);
    if (start < 0 || start + OPEN.length > to) return out;
    if (start > from && text.charCodeAt(start - 1) === 36 /* $ */) {
      at = start + OPEN.length;
      continue;
    }
    let close = text.indexOf(CLOSE, start + OPEN.length);
    if (close >= 0 && close + CLOSE.length > to) close = -1;
    const rawEnd = close < 0 ? to : close;
    // The body, trimmed as `trim` would, by offsets (one slice, not three strings).
    let bodyStart = start + OPEN.length;
    while (bodyStart < rawEnd && isTrimmedChar(text.charCodeAt(bodyStart))) bodyStart++;
    let bodyEnd = rawEnd;
    while (bodyEnd > bodyStart && isTrimmedChar(text.charCodeAt(bodyEnd - 1))) bodyEnd--;
    const match: ExpressionMatch = {
      start,
      end: close < 0 ? to : close + CLOSE.length,
      body: text.slice(bodyStart, bodyEnd),
      bodyStart,
      bodyEnd,
    };
    if (!parse) {
      // offsets only
    } else if (close < 0) {
      match.error = 'unterminated expression: missing "}}"';
    } else {
      const parsed = parseReference(match.body);
      if ('path' in parsed) match.path = parsed.path;
      else match.error = parsed.error;
    }
    out.push(match);
    if (close < 0) return out;
    at = match.end;
  }
}

/** Whether `String.prototype.trim` removes this character (white space and line terminators). */
export function isTrimmedChar(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Whether `text` contains anything that looks like an expression. */
export function hasExpressions(text: string): boolean {
  return text.includes(OPEN);
}

/** The values a template is rendered with. */
export interface TemplateContext {
  inputs: Readonly<Record<string, unknown>>;
  steps: Readonly<Record<string, { output: unknown; outputs?: Readonly<Record<string, unknown>> }>>;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message);
  }
}

export interface RenderOptions {
  /** What to do with a reference that has no value: throw (default) or render it empty. */
  onMissing?: 'throw' | 'empty';
}

function field(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) return /^\d+$/.test(name) ? value[Number(name)] : undefined;
  return Object.prototype.hasOwnProperty.call(value, name)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function walk(value: unknown, rest: readonly string[]): unknown {
  let current = value;
  for (const name of rest) {
    current = field(current, name);
    if (current === undefined) return undefined;
  }
  return current;
}

/** The value a reference path designates in `ctx`, or undefined. */
export function lookupReference(path: readonly string[], ctx: TemplateContext): unknown {
  const [root, name, kind, ...rest] = path;
  if (root === 'inputs' && name !== undefined) return walk(field(ctx.inputs, name), path.slice(2));
  if (root !== 'steps' || name === undefined) return undefined;
  const step = field(ctx.steps, name) as TemplateContext['steps'][string] | undefined;
  if (step === undefined) return undefined;
  if (kind === 'output') return walk(step.output, rest);
  if (kind === 'outputs' && rest.length > 0) {
    const [first, ...deeper] = rest as [string, ...string[]];
    const top = step.outputs !== undefined ? field(step.outputs, first) : field(step.output, first);
    return walk(top, deeper);
  }
  return undefined;
}

/** How a value appears inside rendered text: strings as-is, null as empty, objects and lists as JSON. */
export function stringifyValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
}

function evaluate(match: ExpressionMatch, ctx: TemplateContext, options: RenderOptions): unknown {
  const raw = `\${{ ${match.body} }}`;
  if (match.path === undefined)
    throw new TemplateError(`${raw}: ${match.error ?? 'invalid expression'}`, raw);
  const value = lookupReference(match.path, ctx);
  if (value === undefined && options.onMissing !== 'empty') {
    throw new TemplateError(`${raw}: no value for ${match.path.join('.')}`, raw);
  }
  return value;
}

/** Renders every expression in `template`; `$${{` becomes a literal `${{`. */
export function renderTemplate(template: string, ctx: TemplateContext, options: RenderOptions = {}): string {
  let out = '';
  let from = 0;
  for (const match of findExpressions(template)) {
    out += unescape(template.slice(from, match.start));
    out += stringifyValue(evaluate(match, ctx, options));
    from = match.end;
  }
  return out + unescape(template.slice(from));
}

/**
 * Like `renderTemplate`, but a template that is exactly one expression (`"${{ inputs.list }}"`) yields the
 * referenced value itself, unconverted (so a list input can feed an `embed` step).
 */
export function evaluateTemplate(
  template: string,
  ctx: TemplateContext,
  options: RenderOptions = {},
): unknown {
  const matches = findExpressions(template);
  const only = matches[0];
  if (
    matches.length === 1 &&
    only &&
    template.slice(0, only.start).trim() === '' &&
    template.slice(only.end).trim() === ''
  ) {
    return evaluate(only, ctx, options);
  }
  return renderTemplate(template, ctx, options);
}

function unescape(text: string): string {
  return text.split('$${{').join('${{');
}
