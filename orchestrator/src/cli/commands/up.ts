// `orchion up`: an orchestrator plus one local agent in this process (the quick start).
import { Command } from 'commander';
import { join } from 'node:path';
import { startOrchestrator } from '../../orchestrator';
import { runUntilSignal } from '../run-until-signal';
import {
  addAgentOptions,
  agentSettings,
  readAgentConfigFile,
  startLockedAgent,
  type AgentFlags,
} from './agent';
import {
  addOrchestratorOptions,
  loggerFrom,
  orchestratorConfig,
  printOrchestratorBanner,
  type OrchestratorFlags,
} from './orchestrator';

export function upCommand(): Command {
  const cmd = addOrchestratorOptions(
    new Command('up').description('start an orchestrator and a local agent (the quick start)'),
  )
    .option('--no-local-agent', 'start the orchestrator only')
    .option('--agent-config <file>', 'config file of the local agent (see docs/agent-config.md)');
  return addAgentOptions(cmd).action(
    async (flags: OrchestratorFlags & AgentFlags & { localAgent: boolean; agentConfig?: string }) => {
      // An invalid agent config stops everything before anything starts.
      const file =
        flags.localAgent && flags.agentConfig ? await readAgentConfigFile(flags.agentConfig) : undefined;
      const logger = loggerFrom(flags);
      const o = await startOrchestrator(orchestratorConfig(flags, logger));
      printOrchestratorBanner(o, flags.dataDir, o.grpcAddress);
      // The local agent joins this orchestrator, whatever the file's `orchestrator` says.
      const agent = flags.localAgent
        ? startLockedAgent(
            await agentSettings(
              {
                ...flags,
                dataDir: join(flags.dataDir, 'agent'),
                orchestrator: o.grpcAddress,
                joinToken: o.tokens.join,
              },
              file,
              logger,
            ),
          )
        : undefined;
      agent?.registered.then(
        () => console.log(`\nLocal node ${agent.nodeId} is ready. Press Ctrl+C to stop.`),
        (err: Error) => console.error(`orchion: the local agent could not join: ${err.message}`),
      );
      runUntilSignal(async () => {
        await agent?.stop();
        await o.stop();
      });
    },
  );
}
