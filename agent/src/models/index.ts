export * from './gguf-types.js';
export { encodeGguf, writeGgufFile, type GgufFileInput, type GgufTensorInput } from './gguf-writer.js';
export { readGgufHeader, GgufFormatError, type GgufHeader, type GgufReadLimits } from './gguf-reader.js';
export {
  findGgufProblems,
  inspectGgufFile,
  requiredLlamaTensors,
  summarizeGguf,
  type GgufInspection,
  type GgufModelSummary,
} from './gguf-inspect.js';
export {
  buildTinyModel,
  writeTinyModel,
  TINY_MODEL_FILE,
  TINY_MODEL_NAME,
  TINY_MODEL_SPEC,
  type TinyModelOptions,
} from './tiny-model.js';
export { ModelCatalog, ensureDefaultModel, type CatalogEntry } from './catalog.js';
