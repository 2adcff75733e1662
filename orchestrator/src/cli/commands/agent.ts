// `orchion agent`: joins this machine to an orchestrator. Also defines the agent options `orchion up` shares, and
// reads agent config files (`--config`, `orchion up --agent-config`): flags and env win over the file.
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  startAgent,
  isHttpUrl,
  resolveRuntimes,
  DEFAULT_CAPABILITY_MS,
  DEFAULT_HEARTBEAT_MS,
  RUNTIME_NAMES,
  type Agent,
  type AgentConfig,
  type RuntimeName,
} from '@orchion/agent';
import { formatDiagnostic, hasErrors, parseAgentConfig, type AgentConfigFile } from '@orchion/schemas';
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
  ollamaUrl?: string[];
  openaiUrl?: string[];
  openaiKeyEnv?: string;
  /** `--no-detect` makes it false. */
  detect: boolean;
  slots?: number;
  threads?: number;
  echoTokenDelay?: number;
  /** `--data-plane-addr`: host:port, or 'off'. */
  dataPlaneAddr?: string;
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

/** Collects repeated URL options. */
function collectUrl(value: string, previous: string[] = []): string[] {
  if (!isHttpUrl(value)) throw new InvalidArgumentError(`"${value}" is not an http:// or https:// URL`);
  return [...previous, value];
}

function envName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not an environment variable name`);
  }
  return value;
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
    .option('--ollama-url <url>', 'an Ollama server to serve models from (repeatable)', collectUrl)
    .option(
      '--openai-url <url>',
      'an OpenAI-compatible server (vLLM, llama.cpp, LM Studio) to serve models from (repeatable)',
      collectUrl,
    )
    .option('--openai-key-env <var>', 'environment variable holding the --openai-url API key', envName)
    .option(
      '--no-detect',
      'do not look for an Ollama server on 127.0.0.1:11434 when no runtime is configured',
    )
    .option(
      '--slots <n>',
      'tasks run at once (default: 1 with the embedded runtime, 4 with servers only, 32 with echo alone)',
      positiveInt,
    )
    .option(
      '--threads <n>',
      'llama.cpp CPU threads (default: 1 on up to 2 cores, else half the cores)',
      positiveInt,
    )
    .addOption(
      new Option(
        '--data-plane-addr <host:port|off>',
        'where the gateway reaches this agent for inference (default 127.0.0.1:0: loopback, a free port)',
      )
        .argParser((v: string) => (v === 'off' ? v : parseAddress(v)))
        .env('ORCHION_DATA_PLANE_ADDR'),
    )
    .addOption(
      new Option('--echo-token-delay <duration>', 'delay per token of the echo test runtime')
        .argParser(parseDuration)
        .hideHelp(),
    );
}

/**
 * Reads and checks an agent config file. Its diagnostics are printed on stderr, one `FILE:LINE:COL: severity:
 * message [code]` line each; with errors the process exits 1. Relative paths in it are made relative to the file.
 */
export async function readAgentConfigFile(file: string): Promise<AgentConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read the agent config: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  const { config, diagnostics } = parseAgentConfig(text, { env: process.env });
  for (const d of diagnostics) console.error(formatDiagnostic(file, d));
  if (hasErrors(diagnostics) || !config) process.exit(1);
  const base = dirname(resolve(file));
  for (const r of config.runtimes ?? []) {
    if (r.type === 'embedded' && r.modelsDir !== undefined && !isAbsolute(r.modelsDir)) {
      r.modelsDir = resolve(base, r.modelsDir);
    }
  }
  return config;
}

type AgentIdentity = { dataDir: string; orchestrator: string; joinToken: string };

/** The agent's settings from its flags and config file: flags win, labels merge, runtimes extend the file's. */
export async function agentSettings(
  flags: AgentFlags & AgentIdentity,
  file: AgentConfigFile | undefined,
  logger: Logger,
): Promise<AgentConfig> {
  const log = logger.child({ component: 'agent' });
  const modelsDir = flags.modelsDir ? resolve(flags.modelsDir) : undefined;
  const runtimes = await resolveRuntimes({
    file: file?.runtimes,
    flags: {
      runtime: flags.runtime,
      modelsDir,
      threads: flags.threads,
      ollamaUrl: flags.ollamaUrl,
      openaiUrl: flags.openaiUrl,
      openaiKeyEnv: flags.openaiKeyEnv,
    },
    detect: flags.detect,
    logger: log,
  });
  return {
    orchestrator: flags.orchestrator,
    joinToken: flags.joinToken,
    dataDir: flags.dataDir,
    labels: { ...file?.labels, ...flags.label },
    hostname: flags.hostname,
    heartbeatIntervalMs: flags.heartbeatInterval,
    capabilityIntervalMs: flags.capabilityInterval,
    reconnect: { initialMs: 500, maxMs: flags.reconnectMax },
    modelsDir,
    runtimes,
    slots: flags.slots ?? file?.slots,
    threads: flags.threads,
    echoTokenDelayMs: flags.echoTokenDelay,
    docker: file?.docker,
    dataPlaneAddr: flags.dataPlaneAddr === 'off' ? false : flags.dataPlaneAddr,
    logger: log,
  };
}

/** Starts an agent with its data dir locked; the lock is released when it stops (or fails to start). */
export function startLockedAgent(config: AgentConfig): Agent {
  const unlock = lockDataDir(config.dataDir, 'agent.lock', 'an agent');
  let agent: Agent;
  try {
    agent = startAgent(config);
  } catch (err) {
    unlock();
    throw err;
  }
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
      new Option('--config <file>', 'agent config file (YAML, see docs/agent-config.md)').env(
        'ORCHION_AGENT_CONFIG',
      ),
    )
    .addOption(
      new Option(
        '--orchestrator <host:port>',
        'the orchestrator’s agent (gRPC) address (default: the config file’s)',
      )
        .argParser(parseAddress)
        .env('ORCHION_ORCHESTRATOR'),
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
        config?: string;
        dataDir: string;
        orchestrator?: string;
        joinToken: string;
        logLevel?: string;
        logFormat?: string;
      },
    ) => {
      const file = flags.config ? await readAgentConfigFile(flags.config) : undefined;
      const orchestrator = flags.orchestrator ?? file?.orchestrator;
      if (!orchestrator) {
        throw new Error(
          'no orchestrator: pass --orchestrator HOST:PORT (or set ORCHION_ORCHESTRATOR, or orchestrator: in --config)',
        );
      }
      if (!flags.joinToken) {
        throw new Error('--join-token is empty; pass the token from the orchestrator data dir’s join.token');
      }
      const logger = loggerFrom(flags);
      const agent = startLockedAgent(await agentSettings({ ...flags, orchestrator }, file, logger));
      agent.registered.then(
        (w) =>
          console.log(
            `Node ${agent.nodeId} joined the orchestrator at ${orchestrator}${w.known ? ' (known node)' : ''}.`,
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
