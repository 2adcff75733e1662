/** The Ollama API (https://github.com/ollama/ollama/blob/main/docs/api.md), as far as the runtime allows. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { registerEmbed } from './embed.js';
import { registerGenerate } from './generate.js';
import { registerModels, OLLAMA_API_VERSION } from './models.js';
import { registerPull } from './pull.js';

export { OLLAMA_API_VERSION };

export function registerOllama(app: FastifyInstance, ctx: ServerContext): void {
  // Ollama's own readiness check (`ollama` CLI, docker healthchecks): GET or HEAD /.
  app.get('/', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('Ollama is running'));
  registerModels(app, ctx);
  registerGenerate(app, ctx);
  registerEmbed(app, ctx);
  registerPull(app, ctx);
}
