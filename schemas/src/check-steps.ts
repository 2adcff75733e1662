/** Semantic checks on steps: one kind per step, unique ids, known needs, no dependency cycles. */
import type { Diagnostic, Range } from './diagnostics.js';
import type { StepGraph } from './dag.js';
import { kindKeys, type RawPipeline, type RawStep } from './raw.js';
import type { SourceDocument } from './source.js';
import { Suggester } from './suggest.js';
import { isPlainObject } from './values.js';

const KIND_NAMES = { prompt: 'prompt (completion)', messages: 'messages (chat)', embed: 'embed (embedding)' };
/** Beyond this size, one cycle is computed per strongly connected component instead of one per edge. */
const MAX_PER_EDGE_CYCLE_SEARCH = 64;
/** Cycles longer than this are shortened in messages. */
const MAX_CYCLE_SHOWN = 12;

function stepName(step: RawStep): string {
  return step.id !== undefined ? `step "${step.id}"` : `steps[${step.index}]`;
}

export function checkStepKinds(source: SourceDocument, raw: RawPipeline): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const step of raw.steps) {
    const kinds = kindKeys(step);
    if (kinds.length === 0) {
      out.push({
        severity: 'error',
        code: 'step-kind',
        message: `${stepName(step)} needs one of prompt (completion), messages (chat) or embed (embedding)`,
        range:
          step.id !== undefined ? source.valueRange([...step.path, 'id']) : source.anchorRange(step.path),
      });
    }
    for (const extra of kinds.slice(1)) {
      out.push({
        severity: 'error',
        code: 'step-kind',
        message: `${stepName(step)} sets both "${kinds[0]}" and "${extra}": a step has exactly one of ${Object.values(KIND_NAMES).join(', ')}`,
        range: source.keyRange([...step.path, extra]),
        related: [
          { message: `"${kinds[0]}" is set here`, range: source.keyRange([...step.path, kinds[0]!]) },
        ],
      });
    }
    if (kinds.length === 1 && kinds[0] === 'messages' && Array.isArray(step.data.messages)) {
      const messages = step.data.messages as unknown[];
      const last = messages[messages.length - 1];
      if (isPlainObject(last) && (last.role === 'system' || last.role === 'assistant')) {
        out.push({
          severity: 'error',
          code: 'message-role',
          message: `the last chat message must have role "user" (the model answers it), got "${last.role}"`,
          range: source.valueRange([...step.path, 'messages', messages.length - 1, 'role']),
        });
      }
    }
    if (kinds.length === 1 && kinds[0] === 'embed') {
      if (step.data.output !== undefined) {
        out.push({
          severity: 'error',
          code: 'step-kind',
          message: `${stepName(step)} is an embed step: its output is a vector, so it cannot have output.schema`,
          range: source.keyRange([...step.path, 'output']),
        });
      }
      if (isPlainObject(step.data.options)) {
        for (const option of Object.keys(step.data.options)) {
          out.push({
            severity: 'warning',
            code: 'option-ignored',
            message: `option "${option}" has no effect on an embed step`,
            range: source.keyRange([...step.path, 'options', option]),
          });
        }
      }
    }
  }
  return out;
}

export function checkStepIds(source: SourceDocument, raw: RawPipeline): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const step of raw.steps) {
    if (step.id === undefined) continue;
    const first = raw.stepsById.get(step.id);
    if (first === undefined || first === step) continue;
    out.push({
      severity: 'error',
      code: 'duplicate-step-id',
      message: `duplicate step id "${step.id}" (first used by steps[${first.index}])`,
      range: source.valueRange([...step.path, 'id']),
      related: [
        {
          message: `step "${step.id}" is first defined here`,
          range: source.valueRange([...first.path, 'id']),
        },
      ],
    });
  }
  return out;
}

export function checkNeeds(source: SourceDocument, raw: RawPipeline): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ids = new Suggester(raw.stepsById.keys());
  for (const step of raw.steps) {
    const seen = new Map<string, number>();
    step.needs.forEach((need, i) => {
      // Located only for a diagnostic: most needs are fine, and locating costs a walk from the root.
      const range = (): Range => source.valueRange(need.path);
      if (!raw.stepsById.has(need.id)) {
        out.push({
          severity: 'error',
          code: 'unknown-need',
          message: `${stepName(step)} needs unknown step "${need.id}"${ids.didYouMean(need.id)}`,
          range: range(),
        });
      } else if (seen.has(need.id)) {
        out.push({
          severity: 'warning',
          code: 'duplicate-need',
          message: `"${need.id}" is listed twice in needs`,
          range: range(),
          related: [
            { message: 'first listed here', range: source.valueRange(step.needs[seen.get(need.id)!]!.path) },
          ],
        });
      }
      if (!seen.has(need.id)) seen.set(need.id, i);
    });
  }
  return out;
}

function showCycle(path: readonly string[]): string {
  const shown =
    path.length > MAX_CYCLE_SHOWN
      ? [...path.slice(0, MAX_CYCLE_SHOWN / 2), '…', ...path.slice(-MAX_CYCLE_SHOWN / 2)]
      : path;
  const suffix = path.length > MAX_CYCLE_SHOWN ? ` (${path.length - 1} steps)` : '';
  return shown.join(' → ') + suffix;
}

/**
 * One error on every `needs` entry that closes a cycle, naming the cycle it belongs to
 * (`a → b → c → a`: a needs b, b needs c, c needs a), with the other entries of that cycle as related.
 */
export function checkCycles(source: SourceDocument, raw: RawPipeline, graph: StepGraph): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const component of graph.cycles()) {
    const members = new Set(component);
    const large = component.length > MAX_PER_EDGE_CYCLE_SEARCH;
    let shared: string[] | undefined;
    for (const id of component) {
      const step = raw.stepsById.get(id)!;
      const reported = new Set<string>();
      for (const need of step.needs) {
        if (!members.has(need.id) || reported.has(need.id)) continue;
        reported.add(need.id);
        let cycle: string[];
        if (large && shared) {
          cycle = shared;
        } else {
          const back = graph.needsPath(need.id, id, members) ?? [need.id, id];
          cycle = need.id === id ? [id, id] : [id, ...back];
          if (large) shared = cycle;
        }
        out.push({
          severity: 'error',
          code: 'cycle',
          message: `dependency cycle: ${showCycle(cycle)}`,
          range: source.valueRange(need.path),
          related: cycleEdges(source, raw, cycle, id, need.id),
        });
      }
    }
  }
  return out;
}

/** The other `needs` entries along `cycle`, as related information. */
function cycleEdges(
  source: SourceDocument,
  raw: RawPipeline,
  cycle: readonly string[],
  from: string,
  to: string,
) {
  const related = [];
  for (let i = 0; i + 1 < cycle.length && related.length < MAX_CYCLE_SHOWN; i++) {
    const a = cycle[i]!;
    const b = cycle[i + 1]!;
    if (a === from && b === to) continue;
    const need = raw.stepsById.get(a)?.needs.find((n) => n.id === b);
    if (need) related.push({ message: `"${a}" needs "${b}"`, range: source.valueRange(need.path) });
  }
  return related;
}
