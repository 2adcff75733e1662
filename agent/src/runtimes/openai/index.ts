export { OpenAIRuntime, apiRoot as openaiApiRoot, type OpenAIRuntimeOptions } from './runtime.js';
