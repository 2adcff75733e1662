// `orchion nodes`, `orchion node ID` and `orchion node logs ID`: read the node registry and node logs through the
// HTTP API.
import { Command, Option } from 'commander';
import { ApiClientError, NODE_STATES, type NodeView, type OrchionClient } from '@orchion/api';
import { ago, bytes, table } from '../format';
import { labels, nodeDetail } from '../node-detail';
import { clientFrom, type ClientFlags } from '../options';
import { NodeLogPrinter } from './node-logs';

export function addClientOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--url <url>', 'orchestrator API URL').env('ORCHION_URL'))
    .addOption(
      new Option('--token <token>', 'admin API token (default: the local data dir’s)').env('ORCHION_TOKEN'),
    )
    .option('--data-dir <dir>', 'local data dir to find the token and URL in (env ORCHION_DATA_DIR)')
    .option('--json', 'print the API’s JSON');
}

function gpuSummary(n: NodeView): string {
  const gpus = n.capabilities.gpus ?? [];
  if (gpus.length === 0) return '-';
  return gpus.map((g) => `${g.model || g.vendor} ${bytes(g.vramTotalBytes)}`).join(', ');
}

export function nodesCommand(): Command {
  return addClientOptions(new Command('nodes').description('list the nodes'))
    .addOption(new Option('--state <state>', 'only nodes in this state').choices(NODE_STATES as string[]))
    .action(async (flags: ClientFlags & { json?: boolean; state?: NodeView['state'] }) => {
      const nodes = await clientFrom(flags).listAllNodes({ state: flags.state });
      if (flags.json) {
        console.log(JSON.stringify({ nodes, nextCursor: null, total: nodes.length }, null, 2));
        return;
      }
      if (nodes.length === 0) {
        console.log(
          'No nodes yet. Start one with `orchion agent --orchestrator HOST:PORT --join-token TOKEN`.',
        );
        return;
      }
      const rows = nodes.map((n) => [
        n.id,
        n.hostname,
        n.state,
        String(n.capabilities.cpu?.cores ?? '-'),
        `${bytes(n.capabilities.memory?.availableBytes)} / ${bytes(n.capabilities.memory?.totalBytes)}`,
        gpuSummary(n),
        labels(n),
        ago(n.lastHeartbeatAt),
      ]);
      console.log(
        table(
          ['ID', 'HOSTNAME', 'STATE', 'CPUS', 'MEMORY (AVAIL/TOTAL)', 'GPUS', 'LABELS', 'LAST HEARTBEAT'],
          rows,
        ),
      );
    });
}

/** Finds a node by id, or by a unique id prefix. */
async function findNode(client: OrchionClient, id: string): Promise<NodeView> {
  try {
    return await client.getNode(id);
  } catch (err) {
    if (!(err instanceof ApiClientError) || err.status !== 404) throw err;
  }
  const matches = (await client.listAllNodes()).filter((n) => n.id.startsWith(id));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new Error(`"${id}" matches ${matches.length} nodes; give more of the id`);
  throw new Error(`no node with id "${id}"`);
}

function nodeLogsCommand(): Command {
  return addClientOptions(
    new Command('logs')
      .description('print a node’s log: runtime setup, container output, image pulls')
      .argument('<id>', 'node id or a unique prefix'),
  )
    .option('-f, --follow', 'keep streaming new lines (Ctrl-C to stop)')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      // `node` has the same client options: commander gives them to whichever command is parsed first.
      const flags = cmd.optsWithGlobals<ClientFlags & { json?: boolean; follow?: boolean }>();
      const client = clientFrom(flags);
      const node = await findNode(client, id);
      const printer = new NodeLogPrinter({
        tty: process.stdout.isTTY === true,
        columns: process.stdout.columns,
        write: (t) => process.stdout.write(t),
      });
      const stop = new AbortController();
      const onSigint = () => stop.abort();
      process.once('SIGINT', onSigint);
      try {
        await client.streamNodeLogs(
          node.id,
          (e) => (flags.json ? console.log(JSON.stringify(e)) : printer.print(e)),
          { follow: flags.follow, signal: stop.signal },
        );
      } finally {
        process.off('SIGINT', onSigint);
        printer.finish();
      }
    });
}

export function nodeCommand(): Command {
  return addClientOptions(
    new Command('node')
      .description('show one node (`node logs ID`: its log)')
      .argument('<id>', 'node id or a unique prefix')
      .addCommand(nodeLogsCommand()),
  ).action(async (id: string, flags: ClientFlags & { json?: boolean }) => {
    const n = await findNode(clientFrom(flags), id);
    if (flags.json) {
      console.log(JSON.stringify(n, null, 2));
      return;
    }
    console.log(nodeDetail(n).join('\n'));
  });
}
