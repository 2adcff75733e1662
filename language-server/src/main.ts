/**
 * Entry point: `node language-server/dist/server.js --stdio` (or `--node-ipc`, `--socket=PORT`, chosen by
 * vscode-languageserver from the command line).
 */
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { IdleCollector } from './server/idle-gc.js';
import { startServer } from './server/server.js';

const connection = createConnection(ProposedFeatures.all);
startServer(connection, { idle: new IdleCollector() });
// Last line of defence: a bug must not take the editor's language features down with the process.
process.on('uncaughtException', (e) =>
  connection.console.error(`orchion language server: ${e.stack ?? String(e)}`),
);
process.on('unhandledRejection', (e) => connection.console.error(`orchion language server: ${String(e)}`));
connection.listen();
