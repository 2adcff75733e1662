// `orchion keys create|list|revoke`: API keys of the gateway (OpenAI/Ollama endpoints), through the HTTP API.
import { Command, InvalidArgumentError } from 'commander';
import { KeysClient, type ApiKeyView } from '@orchion/api';
import { ADMIN_TOKEN_FILE, readTokenFile } from '../../auth/tokens';
import { ago, table } from '../format';
import { clientFrom, defaultDataDir, type ClientFlags } from '../options';
import { addClientOptions } from './nodes';

function keysClient(flags: ClientFlags): KeysClient {
  const { url } = clientFrom(flags);
  const token =
    flags.token ??
    process.env.ORCHION_TOKEN ??
    readTokenFile(flags.dataDir ?? defaultDataDir(), ADMIN_TOKEN_FILE);
  return new KeysClient({ url, token });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  }
  return n;
}

const limit = (n: number | null, unit: string) => (n === null ? '-' : `${n}/${unit}`);

function rows(keys: ApiKeyView[]): string {
  return table(
    ['ID', 'NAME', 'PREFIX', 'STATE', 'REQUESTS', 'TOKENS', 'TODAY', 'LAST USED'],
    keys.map((k) => [
      k.id,
      k.name,
      `${k.prefix}…`,
      k.revokedAt ? 'revoked' : 'active',
      limit(k.requestsPerMinute, 'min'),
      limit(k.tokensPerDay, 'day'),
      `${k.usage.requests} req, ${k.usage.tokens} tok`,
      ago(k.lastUsedAt),
    ]),
  );
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('API keys of the OpenAI/Ollama-compatible gateway');
  keys.addCommand(
    addClientOptions(
      new Command('create')
        .description('create a key (its secret is printed once)')
        .argument('<name>', 'what the key is for, e.g. "open-webui"'),
    )
      .option('--rpm <n>', 'requests per minute allowed (default: no limit)', positiveInt)
      .option(
        '--tokens-per-day <n>',
        'prompt + completion tokens per UTC day (default: no limit)',
        positiveInt,
      )
      .action(
        async (
          name: string,
          flags: ClientFlags & { json?: boolean; rpm?: number; tokensPerDay?: number },
        ) => {
          const created = await keysClient(flags).create({
            name,
            requestsPerMinute: flags.rpm ?? null,
            tokensPerDay: flags.tokensPerDay ?? null,
          });
          if (flags.json) {
            console.log(JSON.stringify(created, null, 2));
            return;
          }
          console.log(
            [
              `Created API key ${created.key.id} (${created.key.name}).`,
              `Key (shown once; only its hash is stored):`,
              `  ${created.token}`,
              `Use it as an OpenAI or Ollama API key against ${clientFrom(flags).url} (base URL ${clientFrom(flags).url}/v1).`,
            ].join('\n'),
          );
        },
      ),
  );
  keys.addCommand(
    addClientOptions(new Command('list').description('list the keys')).action(
      async (flags: ClientFlags & { json?: boolean }) => {
        const { keys: list } = await keysClient(flags).list();
        if (flags.json) console.log(JSON.stringify({ keys: list }, null, 2));
        else if (list.length === 0) console.log('No API keys. Create one with `orchion keys create NAME`.');
        else console.log(rows(list));
      },
    ),
  );
  keys.addCommand(
    addClientOptions(
      new Command('revoke')
        .description('revoke a key (refused from its next request)')
        .argument('<id>', 'key id'),
    ).action(async (id: string, flags: ClientFlags & { json?: boolean }) => {
      const key = await keysClient(flags).revoke(id);
      if (flags.json) console.log(JSON.stringify(key, null, 2));
      else console.log(`Revoked API key ${key.id} (${key.name}).`);
    }),
  );
  return keys;
}
