// `orchion orchestrator`: the orchestrator alone. Also defines the options `orchion up` shares.
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../../logger';
import { startOrchestrator, type Orchestrator, type OrchestratorConfig } from '../../orchestrator';
import {
  DEFAULT_GRPC_ADDR,
  DEFAULT_HTTP_ADDR,
  collectList,
  defaultDataDir,
  parseAddress,
  parseDuration,
} from '../options';
import { runUntilSignal } from '../run-until-signal';

export interface OrchestratorFlags {
  httpAddr: string;
  grpcAddr: string;
  dataDir: string;
  token?: string;
  joinToken?: string;
  corsOrigin?: string[];
  pruneOfflineAfter: number;
  reconnectGrace: number;
  sweepInterval: number;
  gatewayQueueDepth: number;
  gatewayQueueTimeout: number;
  gatewayFirstTokenTimeout: number;
  logLevel?: string;
  logFormat?: 'pretty' | 'json';
}

export function addOrchestratorOptions(cmd: Command): Command {
  return cmd
    .option('--http-addr <host:port>', 'HTTP API address', parseAddress, DEFAULT_HTTP_ADDR)
    .option('--grpc-addr <host:port>', 'address agents connect to', parseAddress, DEFAULT_GRPC_ADDR)
    .option('--data-dir <dir>', 'state directory (env ORCHION_DATA_DIR)', defaultDataDir())
    .addOption(
      new Option('--token <token>', 'admin API token instead of the generated one').env('ORCHION_TOKEN'),
    )
    .addOption(
      new Option('--join-token <token>', 'agent join token instead of the generated one').env(
        'ORCHION_JOIN_TOKEN',
      ),
    )
    .option(
      '--cors-origin <origins>',
      'browser origins allowed to call the API (comma-separated, or *)',
      collectList,
    )
    .option(
      '--prune-offline-after <duration>',
      'remove nodes offline for this long (0 keeps them)',
      parseDuration,
      7 * 86_400_000,
    )
    .option(
      '--reconnect-grace <duration>',
      'after a restart, how long agents may take to reconnect before their tasks are retried elsewhere',
      parseDuration,
      45_000,
    )
    .option(
      '--gateway-queue-depth <n>',
      'gateway: requests waiting per model before it answers 429',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${v}" is not a count`);
        return n;
      },
      64,
    )
    .option(
      '--gateway-queue-timeout <duration>',
      'gateway: how long a request may wait for a free node',
      parseDuration,
      30_000,
    )
    .option(
      '--gateway-first-token-timeout <duration>',
      'gateway: how long a node may take to the first token (non-streaming: the answer), model load included, before the request is tried on another node',
      parseDuration,
      300_000,
    )
    .addOption(
      new Option('--sweep-interval <duration>', 'how often silent nodes are checked')
        .argParser(parseDuration)
        .default(1000)
        .hideHelp(),
    )
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
}

export function loggerFrom(flags: { logLevel?: string; logFormat?: string }) {
  return createLogger({
    level: flags.logLevel,
    pretty: flags.logFormat === undefined ? undefined : flags.logFormat === 'pretty',
  });
}

export function orchestratorConfig(
  flags: OrchestratorFlags,
  logger: OrchestratorConfig['logger'],
): OrchestratorConfig {
  return {
    dataDir: flags.dataDir,
    httpAddr: flags.httpAddr,
    grpcAddr: flags.grpcAddr,
    adminToken: flags.token,
    joinToken: flags.joinToken,
    corsOrigins: flags.corsOrigin,
    pruneOfflineAfterMs: flags.pruneOfflineAfter,
    reconnectGraceMs: flags.reconnectGrace,
    sweepIntervalMs: flags.sweepInterval,
    gatewayQueueDepth: flags.gatewayQueueDepth,
    gatewayQueueTimeoutMs: flags.gatewayQueueTimeout,
    gatewayFirstTokenTimeoutMs: flags.gatewayFirstTokenTimeout,
    logger,
  };
}

/** Prints where the orchestrator listens, and the tokens if this start created them. */
export function printOrchestratorBanner(o: Orchestrator, dataDir: string, grpcHostHint: string): void {
  const lines = [
    `Orchion orchestrator is running.`,
    `  API:       ${o.httpUrl}`,
    `  Dashboard: ${o.httpUrl}/  (asks for the admin token)`,
    `  Gateway:   ${o.httpUrl}/v1 (OpenAI) and ${o.httpUrl} (Ollama); keys: npx orchion keys create NAME`,
    `  Agents:    ${o.grpcAddress}`,
    `  Data:      ${dataDir}`,
  ];
  if (o.tokens.created.admin) {
    lines.push(
      ``,
      `Admin API token (shown once; also in ${dataDir}/admin.token, mode 0600):`,
      `  ${o.tokens.admin}`,
    );
  }
  if (o.tokens.created.join) {
    lines.push(
      ``,
      `Agent join token (shown once; also in ${dataDir}/join.token, mode 0600):`,
      `  ${o.tokens.join}`,
    );
  }
  lines.push(
    ``,
    `Join another machine:`,
    `  npx orchion agent --orchestrator ${grpcHostHint} --join-token $(cat ${dataDir}/join.token)`,
    `List nodes:`,
    `  npx orchion nodes`,
    `Run the example pipeline (from the Orchion checkout):`,
    `  npx orchion submit examples/hello.yaml --follow`,
  );
  console.log(lines.join('\n'));
}

export function orchestratorCommand(): Command {
  return addOrchestratorOptions(new Command('orchestrator').description('run the orchestrator alone')).action(
    async (flags: OrchestratorFlags) => {
      const logger = loggerFrom(flags);
      const o = await startOrchestrator(orchestratorConfig(flags, logger));
      printOrchestratorBanner(o, flags.dataDir, o.grpcAddress);
      runUntilSignal(async () => o.stop());
    },
  );
}
