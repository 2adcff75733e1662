// Option parsers and defaults shared by the CLI's commands.
import { InvalidArgumentError } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OrchionClient } from '@orchion/api';
import { ADMIN_TOKEN_FILE, readTokenFile } from '../auth/tokens';
import { defaultDataDir, readRuntimeInfo } from '../data-dir';

export const DEFAULT_HTTP_ADDR = '127.0.0.1:7700';
export const DEFAULT_GRPC_ADDR = '127.0.0.1:7701';

export { defaultDataDir };

export function defaultAgentDataDir(): string {
  return (
    process.env.ORCHION_AGENT_DATA_DIR ||
    join(process.env.ORCHION_DATA_DIR || join(homedir(), '.orchion'), 'agent')
  );
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `5s`, `10m`, `2h`, `7d` (a bare number is milliseconds) into milliseconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`"${value}" is not a duration (e.g. 500ms, 5s, 10m, 2h, 7d)`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']!);
}

/** Collects repeated `--label key=value` options. */
export function collectLabel(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`"${value}" is not key=value`);
  return { ...previous, [value.slice(0, i)]: value.slice(i + 1) };
}

export function parseAddress(value: string): string {
  if (!/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not host:port`);
  }
  return value;
}

export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export interface ClientFlags {
  url?: string;
  token?: string;
  dataDir?: string;
}

/** The API client for read commands: --url/ORCHION_URL, else the local orchestrator's runtime file, else the default. */
export function clientFrom(flags: ClientFlags): OrchionClient {
  const dataDir = flags.dataDir ?? defaultDataDir();
  const url =
    flags.url ??
    process.env.ORCHION_URL ??
    readRuntimeInfo(dataDir)?.httpUrl ??
    `http://${DEFAULT_HTTP_ADDR}`;
  const token = flags.token ?? process.env.ORCHION_TOKEN ?? readTokenFile(dataDir, ADMIN_TOKEN_FILE);
  return new OrchionClient({ url, token });
}
