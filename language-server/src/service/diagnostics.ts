/**
 * Diagnostics: the shared parser's (syntax, schema, semantics), plus model and runtime names checked against the
 * cluster when it is reachable. Each has a category that settings can switch off.
 */
import { isPlainObject, suggestClosest, type DiagnosticCode, type JsonPath } from '@orchion/schemas';
import type { DiagnosticCategory } from '../protocol.js';
import type { Analysis } from './analysis.js';
import type { ClusterInfo } from './cluster-info.js';
import type { ServiceDiagnostic } from './types.js';

export type { DiagnosticCategory };
/** The categories clients may switch off (typed by the protocol the extension imports). */
export const DIAGNOSTIC_CATEGORIES: readonly DiagnosticCategory[] = [
  'syntax',
  'schema',
  'steps',
  'expressions',
  'inputs',
  'cluster',
];

/** Codes the language server adds to the parser's. */
export const CLUSTER_CODES = ['unknown-model', 'unknown-runtime'] as const;
export type ClusterCode = (typeof CLUSTER_CODES)[number];

/** Every code has a category (a new parser code fails to compile until it gets one). */
const CATEGORY: Record<DiagnosticCode | ClusterCode, DiagnosticCategory> = {
  'yaml-syntax': 'syntax',
  'yaml-warning': 'syntax',
  'yaml-alias-limit': 'syntax',
  'duplicate-key': 'syntax',
  'empty-document': 'syntax',
  'internal-error': 'syntax',
  'schema-required': 'schema',
  'schema-type': 'schema',
  'schema-additional-property': 'schema',
  'schema-enum': 'schema',
  'schema-pattern': 'schema',
  'schema-range': 'schema',
  'schema-invalid': 'schema',
  'invalid-duration': 'schema',
  'output-schema-unsupported': 'schema',
  'invalid-output-schema': 'schema',
  'step-kind': 'steps',
  'option-ignored': 'steps',
  'message-role': 'steps',
  'duplicate-step-id': 'steps',
  'unknown-need': 'steps',
  'duplicate-need': 'steps',
  cycle: 'steps',
  'expression-syntax': 'expressions',
  'expression-not-evaluated': 'expressions',
  'unresolved-reference': 'expressions',
  'reference-not-upstream': 'expressions',
  'unknown-output-field': 'expressions',
  'unknown-input': 'inputs',
  'unused-input': 'inputs',
  'input-type': 'inputs',
  'input-default-ignored': 'inputs',
  'missing-input': 'inputs',
  'unknown-model': 'cluster',
  'unknown-runtime': 'cluster',
};

export function categoryOf(code: string): DiagnosticCategory {
  return CATEGORY[code as DiagnosticCode] ?? 'schema';
}

export type CategorySwitches = Partial<Record<DiagnosticCategory, boolean>>;

/** The document's diagnostics, without the switched-off categories. */
export function diagnose(
  analysis: Analysis,
  cluster: ClusterInfo,
  enabled: CategorySwitches = {},
): ServiceDiagnostic[] {
  const on = (code: string): boolean => enabled[categoryOf(code)] !== false;
  const out: ServiceDiagnostic[] = [];
  for (const d of analysis.result.diagnostics) {
    if (!on(d.code)) continue;
    out.push({
      severity: d.severity,
      code: d.code,
      message: d.message,
      range: d.range,
      ...(d.related?.length ? { related: d.related } : {}),
      ...(d.code === 'unused-input' ? { unnecessary: true } : {}),
    });
  }
  if (cluster.status === 'live' && enabled.cluster !== false)
    out.push(...clusterDiagnostics(analysis, cluster));
  return out;
}

/** Unknown models and runtimes, as warnings: the cluster changes, a missing model may come later. */
export function clusterDiagnostics(analysis: Analysis, cluster: ClusterInfo): ServiceDiagnostic[] {
  const source = analysis.source;
  if (source === undefined) return [];
  const out: ServiceDiagnostic[] = [];
  const check = (path: JsonPath, value: unknown): void => {
    if (typeof value !== 'string' || value === '' || value.includes('${{')) return;
    const key = path[path.length - 1];
    if (key === 'model' && !cluster.models.has(value)) {
      out.push({
        severity: 'warning',
        code: 'unknown-model',
        message: `no node of the cluster serves model "${value}"${hint(value, [...cluster.models.keys()])}`,
        range: source.valueRange(path),
      });
    } else if (key === 'model') {
      const runtime = runtimeFor(analysis, path);
      const m = cluster.models.get(value)!;
      if (runtime !== undefined && !m.runtimes.includes(runtime)) {
        out.push({
          severity: 'warning',
          code: 'unknown-model',
          message: `model "${value}" is served by ${m.runtimes.join(', ')}, not by runtime "${runtime}"`,
          range: source.valueRange(path),
        });
      }
    } else if (key === 'runtime' && !cluster.runtimes.has(value)) {
      out.push({
        severity: 'warning',
        code: 'unknown-runtime',
        message: `no node of the cluster has runtime "${value}"${hint(value, [...cluster.runtimes])}`,
        range: source.valueRange(path),
      });
    }
  };
  const defaults = isPlainObject(analysis.raw.root.defaults) ? analysis.raw.root.defaults : {};
  check(['defaults', 'model'], defaults.model);
  check(['defaults', 'runtime'], defaults.runtime);
  for (const step of analysis.raw.steps) {
    check([...step.path, 'model'], step.data.model);
    check([...step.path, 'runtime'], step.data.runtime);
  }
  return out;
}

function runtimeFor(analysis: Analysis, modelPath: JsonPath): string | undefined {
  const defaults = isPlainObject(analysis.raw.root.defaults) ? analysis.raw.root.defaults : {};
  const own =
    modelPath[0] === 'steps'
      ? analysis.raw.steps.find((s) => s.index === modelPath[1])?.data.runtime
      : undefined;
  const runtime = own ?? defaults.runtime;
  return typeof runtime === 'string' ? runtime : undefined;
}

function hint(value: string, known: string[]): string {
  if (known.length === 0) return '';
  const close = suggestClosest(value, known);
  if (close !== undefined) return ` (did you mean "${close}"?)`;
  const shown = known.slice(0, 8).join(', ');
  return ` (available: ${shown}${known.length > 8 ? ', …' : ''})`;
}
