export { startOrchestrator, type Orchestrator, type OrchestratorConfig } from './orchestrator';
export { createLogger } from './logger';
