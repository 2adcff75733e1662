/**
 * `orchion-model-server` (bundled to model-server/dist/server.js): the embedded llama.cpp runtime over the
 * Ollama and OpenAI HTTP APIs. See config.ts for the options. Prints one line when it listens; stops cleanly
 * on SIGINT/SIGTERM.
 */
import { EmbeddedRuntime, ensureDefaultModel } from './agent.js';
import { createModelServer } from './app.js';
import { ConfigError, parseConfig, USAGE, type ServerConfig } from './config.js';

async function main(): Promise<void> {
  let config: ServerConfig | undefined;
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`orchion-model-server: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (!config) {
    console.log(USAGE);
    return;
  }
  const cfg = config;
  if (cfg.tinyModel) {
    const written = await ensureDefaultModel(cfg.modelsDir);
    if (written) console.log(`wrote the tiny random-weight model ${written}`);
  }
  const server = createModelServer({
    createRuntime: () =>
      new EmbeddedRuntime({
        modelsDir: cfg.modelsDir,
        threads: cfg.threads,
        gpu: cfg.gpu,
        contextSize: cfg.contextSize,
      }),
    modelsDir: cfg.modelsDir,
    pullFrom: cfg.pullFrom,
    pullChunkBytes: cfg.pullChunkBytes,
    apis: cfg.apis,
    keepAliveMs: cfg.keepAliveMs,
    apiKey: cfg.apiKey,
    logger: cfg.logLevel === 'silent' ? false : { level: cfg.logLevel },
  });
  const address = await server.app.listen({ host: cfg.host, port: cfg.port });
  console.log(
    `orchion model-server listening on ${address} (apis: ${cfg.apis.join(', ')}; models: ${cfg.modelsDir})`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`orchion model-server: ${signal}, stopping`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void server.app.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`orchion-model-server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
