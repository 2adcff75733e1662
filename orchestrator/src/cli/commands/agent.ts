// `orchion agent`: joins this machine to an orchestrator. Also defines the agent options `orchion up` shares.
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import {
  startAgent,
  DEFAULT_CAPABILITY_MS,
  DEFAULT_HEARTBEAT_MS,
  RUNTIME_NAMES,
  type Agent,
  type RuntimeName,
} from '@orchion/agent';
import type { Logger } from 'pino';
import { lockDataDir } from '../../data-dir';
import { collectLabel, defaultAgentDataDir, parseAddress, parseDuration } from '../options';
import { runUntilSignal } from '../run-until-signal';
import { loggerFrom } from './orchestrator';

export interface AgentFlags {
  label?: Record<string, string>;
  heartbeatInterval: number;
  capabilityInterval: number;
  reconnectMax: number;
  hostname?: string;
  modelsDir?: string;
  runtime?: RuntimeName[];
  slots?: number;
  threads?: number;
  echoTokenDelay?: number;
}

/** Collects repeated `--runtime name` options (a comma-separated list works too). */
function collectRuntime(value: string, previous: RuntimeName[] = []): RuntimeName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(RUNTIME_NAMES as readonly string[]).includes(n)) {
      throw new InvalidArgumentError(`"${n}" is not a runtime (known: ${RUNTIME_NAMES.join(', ')})`);
    }
  }
  return [...new Set([...previous, ...(names as RuntimeName[])])];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  }
  return n;
}

export function addAgentOptions(cmd: Command): Command {
  return cmd
    .option('--label <key=value>', 'a node label (repeatable)', collectLabel)
    .option('--heartbeat-interval <duration>', 'how often to heartbeat', parseDuration, DEFAULT_HEARTBEAT_MS)
    .option(
      '--capability-interval <duration>',
      'how often to refresh capabilities',
      parseDuration,
      DEFAULT_CAPABILITY_MS,
    )
    .option('--reconnect-max <duration>', 'longest wait between reconnect attempts', parseDuration, 30_000)
    .option('--hostname <name>', 'hostname to report (default: this machine’s)')
    .option('--models-dir <dir>', 'GGUF models of the embedded runtime (default: <agent data dir>/models)')
    .option(
      '--runtime <name>',
      `a runtime to run: ${RUNTIME_NAMES.join(', ')} (repeatable; default: embedded)`,
      collectRuntime,
    )
    .option('--slots <n>', 'tasks run at once (default: 1 with the embedded runtime, else 32)', positiveInt)
    .option(
      '--threads <n>',
      'llama.cpp CPU threads (default: 1 on up to 2 cores, else half the cores)',
      positiveInt,
    )
    .addOption(
      new Option('--echo-token-delay <duration>', 'delay per token of the echo test runtime')
        .argParser(parseDuration)
        .hideHelp(),
    );
}

/** Starts an agent with its data dir locked; the lock is released when it stops. */
export function startLockedAgent(
  flags: AgentFlags & { dataDir: string; orchestrator: string; joinToken: string },
  logger: Logger,
): Agent {
  const unlock = lockDataDir(flags.dataDir, 'agent.lock', 'an agent');
  const agent = startAgent({
    orchestrator: flags.orchestrator,
    joinToken: flags.joinToken,
    dataDir: flags.dataDir,
    labels: flags.label,
    hostname: flags.hostname,
    heartbeatIntervalMs: flags.heartbeatInterval,
    capabilityIntervalMs: flags.capabilityInterval,
    reconnect: { initialMs: 500, maxMs: flags.reconnectMax },
    modelsDir: flags.modelsDir ? resolve(flags.modelsDir) : undefined,
    runtimes: flags.runtime,
    slots: flags.slots,
    threads: flags.threads,
    echoTokenDelayMs: flags.echoTokenDelay,
    logger: logger.child({ component: 'agent' }),
  });
  return {
    ...agent,
    stop: async (reason) => {
      await agent.stop(reason);
      unlock();
    },
  };
}

export function agentCommand(): Command {
  const cmd = new Command('agent')
    .description('join this machine to an orchestrator as a node')
    .addOption(
      new Option('--orchestrator <host:port>', 'the orchestrator’s agent (gRPC) address')
        .argParser(parseAddress)
        .env('ORCHION_ORCHESTRATOR')
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--join-token <token>', 'the orchestrator’s join token')
        .env('ORCHION_JOIN_TOKEN')
        .makeOptionMandatory(),
    )
    .option('--data-dir <dir>', 'agent state directory (env ORCHION_AGENT_DATA_DIR)', defaultAgentDataDir())
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error'])
        .env('ORCHION_LOG_LEVEL'),
    )
    .addOption(
      new Option('--log-format <format>', 'log format (default: pretty on a terminal)').choices([
        'pretty',
        'json',
      ]),
    );
  return addAgentOptions(cmd).action(
    async (
      flags: AgentFlags & {
        dataDir: string;
        orchestrator: string;
        joinToken: string;
        logLevel?: string;
        logFormat?: string;
      },
    ) => {
      if (!flags.joinToken) {
        throw new Error('--join-token is empty; pass the token from the orchestrator data dir’s join.token');
      }
      const logger = loggerFrom(flags);
      const agent = startLockedAgent(flags, logger);
      agent.registered.then(
        (w) =>
          console.log(
            `Node ${agent.nodeId} joined the orchestrator at ${flags.orchestrator}${w.known ? ' (known node)' : ''}.`,
          ),
        async (err: Error) => {
          console.error(`orchion: ${err.message}`);
          await agent.stop();
          process.exit(1);
        },
      );
      runUntilSignal(async () => agent.stop());
    },
  );
}
