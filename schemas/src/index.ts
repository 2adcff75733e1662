/**
 * @orchion/schemas — the pipeline format: JSON Schema, parser and validator with located diagnostics,
 * expressions, the step DAG and input resolution. A leaf library: no I/O.
 */
export {
  DIAGNOSTIC_CODES,
  zeroRange,
  formatDiagnostic,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
  type DiagnosticCode,
  type Position,
  type Range,
  type RelatedInformation,
  type Severity,
} from './diagnostics.js';
export {
  parsePipeline,
  parsedParts,
  type ParseOptions,
  type ParseResult,
  type ParsedParts,
} from './parse.js';
export {
  API_VERSION,
  DEFAULT_MODEL,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  INPUT_TYPES,
  MAX_RETRIES,
  MAX_TIMEOUT_MS,
  type ChatMessage,
  type ChatRole,
  type ChatStep,
  type CompletionStep,
  type EmbeddingStep,
  type GenerationOptions,
  type InputSpec,
  type InputType,
  type OutputSchema,
  type Pipeline,
  type Resources,
  type Step,
  type StepKind,
} from './pipeline.js';
export { pipelineSchema } from './schema.js';
export {
  TemplateError,
  evaluateTemplate,
  findExpressions,
  hasExpressions,
  lookupReference,
  parseReference,
  renderTemplate,
  stringifyValue,
  type ExpressionMatch,
  type RenderOptions,
  type TemplateContext,
} from './expressions.js';
export { locateExpressions, type TemplateReference } from './references.js';
export { StepGraph, stepGraph, type GraphStep } from './dag.js';
export {
  describeInputs,
  parseInputAssignments,
  resolveInputs,
  validateInputs,
  type InputDiagnostic,
  type ResolveInputsOptions,
  type ResolvedInputs,
} from './inputs.js';
export { coerceString, matchesType } from './values.js';
export { formatDuration, parseDuration } from './duration.js';
export { validateOutput, type OutputValidation } from './output-schema.js';
export { pipelineGraph, renderOutputs, renderStepRequest, type StepRequest } from './runtime.js';
export { SourceDocument, type JsonPath, type Located, type PathSegment } from './source.js';
export { closest as suggestClosest } from './suggest.js';
export * from './agent-config/index.js';
export type { SchemaCode, YamlCode } from './diagnostics.js';
// For editors (the language server): the defensive raw view, template fields and their expressions.
export { readRaw, kindKeys, KIND_KEYS, type RawNeed, type RawPipeline, type RawStep } from './raw.js';
export { collectReferences, isTemplatePath, templateFields, type TemplateField } from './references.js';
export { MAX_ALIAS_COUNT, YAML_PARSE_OPTIONS, markKeysChecked } from './source.js';
export { bestEffortData, setPlainData } from './yaml-data.js';
export { editDistance } from './suggest.js';
export { effectiveInputType } from './check-values.js';
export { isPlainObject } from './values.js';
