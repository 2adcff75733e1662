/**
 * @orchion/language-server — the language service for pipeline YAML (pure: text in, results out) and its LSP
 * adapter. Run the bundled server with `node language-server/dist/server.js --stdio`.
 */
export * from './protocol.js';
export { analyze, type Analysis } from './service/analysis.js';
export { isPipelineDocument } from './service/association.js';
export { complete, type CompletionInput } from './service/completion.js';
export {
  diagnose,
  categoryOf,
  DIAGNOSTIC_CATEGORIES,
  CLUSTER_CODES,
  type CategorySwitches,
} from './service/diagnostics.js';
export { hover } from './service/hover.js';
export { definition, references, prepareRename, rename } from './service/navigation.js';
export { documentSymbols, codeLenses } from './service/outline.js';
export { foldingRanges, selectionRange } from './service/ranges.js';
export { codeActions } from './service/code-actions.js';
export { semanticTokens } from './service/semantic-tokens.js';
export {
  clusterFromNodes,
  unknownCluster,
  type ClusterInfo,
  type ClusterModel,
} from './service/cluster-info.js';
export type * from './service/types.js';
export { startServer, type ServerOptions } from './server/server.js';
export { LiveValues, type LiveValuesOptions } from './cluster/live-values.js';
