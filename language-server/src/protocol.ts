/**
 * What clients send the Orchion language server. The VS Code extension imports these types (type-only).
 */

/** Diagnostic categories that settings can switch off (all on by default). */
export type DiagnosticCategory = 'syntax' | 'schema' | 'steps' | 'expressions' | 'inputs' | 'cluster';

/** `initializationOptions` of the `initialize` request. */
export interface InitializationOptions {
  /** The orchestrator's HTTP API, e.g. `http://127.0.0.1:7700`; live model and runtime names come from it. */
  orchestratorUrl?: string;
  /** Its API token (`admin.token`). */
  token?: string;
  /** How long fetched models and runtimes are reused, in milliseconds (default 30000). */
  liveValuesTtlMs?: number;
  /** Delay between the last edit and re-validation, in milliseconds (default 150; 0 validates at once). */
  validationDelayMs?: number;
}

/** `workspace/didChangeConfiguration` settings, under the `orchion` section. */
export interface OrchionSettings {
  /** The orchestrator's HTTP API (overrides `orchestratorUrl`). */
  url?: string;
  /** Its API token (overrides `token`). */
  token?: string;
  /** Categories to switch off with `false`. */
  diagnostics?: Partial<Record<DiagnosticCategory, boolean>>;
}

/** The whole `settings` object of `workspace/didChangeConfiguration`. */
export interface ServerSettings {
  orchion?: OrchionSettings;
}

/** Command ids of the code lenses (handled by the client): arguments `[documentUri]` and `[documentUri, stepId]`. */
export const RUN_PIPELINE_COMMAND = 'orchion.runPipeline';
export const RUN_FROM_STEP_COMMAND = 'orchion.runFromStep';
