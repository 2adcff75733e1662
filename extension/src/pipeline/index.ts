// Entry of the lazily loaded `dist/pipeline-tools.js` bundle: everything that needs the pipeline parser
// (@orchion/schemas, with YAML and Ajv) stays out of the activation path. Import it type-only and load it with
// `loadPipelineTools()`.
export { readPipeline, stepRange, type PipelineInfo } from './read';
export { inputPrompts, parseInputText, valueToText, type InputPrompt } from './inputs';
export { failedStepDiagnostics, type StepDiagnostic } from '../diagnostics/failed-steps';
export { pipelineTemplate, TEMPLATES, type TemplateId } from './templates';
