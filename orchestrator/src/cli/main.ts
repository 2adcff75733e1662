// The `orchion` command line.
import { Command, CommanderError } from 'commander';
import { ApiClientError } from '@orchion/api';
import { VERSION } from '../version';
import { agentCommand } from './commands/agent';
import { cancelCommand, jobCommand, jobsCommand, logsCommand, submitCommand } from './commands/jobs';
import { keysCommand } from './commands/keys';
import { nodeCommand, nodesCommand } from './commands/nodes';
import { orchestratorCommand } from './commands/orchestrator';
import { upCommand } from './commands/up';
import { validateCommand } from './commands/validate';

function explain(err: unknown): string {
  if (err instanceof ApiClientError) {
    if (err.code === 'unreachable')
      return `${err.message}; is it running? (start one with \`orchion up\`, or pass --url)`;
    if (err.status === 401)
      return `${err.message.split(':')[0]}: the orchestrator refused the token; pass --token or set ORCHION_TOKEN`;
    return `${err.message} [${err.code}]`;
  }
  return (err as Error).message ?? String(err);
}

const program = new Command('orchion')
  .description('Run LLM pipelines on a fleet of your own machines')
  .version(VERSION)
  .showSuggestionAfterError()
  .exitOverride();

for (const cmd of [
  upCommand(),
  orchestratorCommand(),
  agentCommand(),
  nodesCommand(),
  nodeCommand(),
  submitCommand(),
  jobsCommand(),
  jobCommand(),
  logsCommand(),
  cancelCommand(),
  validateCommand(),
  keysCommand(),
]) {
  program.addCommand(cmd.exitOverride());
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  console.error(`orchion: ${explain(err)}`);
  process.exit(1);
}
