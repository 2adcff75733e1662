/** The OpenAI API (models, completions, chat completions, embeddings), under /v1. */
import type { FastifyInstance } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { ModelInfo } from '../agent.js';
import type { ServerContext } from '../context.js';
import { openaiError } from '../errors.js';
import { resolveModelName } from '../models.js';
import { registerCompletions } from './completions.js';
import { registerEmbeddings } from './embeddings.js';

const started = Math.floor(Date.now() / 1000);

const sameKey = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export function registerOpenAI(
  app: FastifyInstance,
  ctx: ServerContext,
  options: { apiKey?: string } = {},
): void {
  const { apiKey } = options;
  if (apiKey) {
    app.addHook('onRequest', async (req, reply) => {
      if (!req.url.startsWith('/v1/')) return;
      const auth = req.headers.authorization ?? '';
      const given = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : '';
      if (!sameKey(given, apiKey)) {
        return reply.code(401).send(openaiError(401, 'Incorrect API key provided.', 'invalid_api_key'));
      }
    });
  }

  // max_model_len is vLLM's addition: the context length.
  const modelObject = (m: ModelInfo) => ({
    id: m.name,
    object: 'model',
    created: started,
    owned_by: 'orchion',
    ...(m.contextLength ? { max_model_len: m.contextLength } : {}),
  });

  app.get('/v1/models', async () => {
    const models = await ctx.host.listModels();
    return { object: 'list', data: models.map(modelObject) };
  });

  app.get<{ Params: { model: string } }>('/v1/models/:model', async (req, reply) => {
    const models = await ctx.host.listModels();
    const name = resolveModelName(req.params.model, models);
    const model = models.find((m) => m.name === name);
    if (!model) {
      const message = `The model \`${req.params.model}\` does not exist or you do not have access to it.`;
      return reply.code(404).send(openaiError(404, message, 'model_not_found'));
    }
    return modelObject(model);
  });

  registerCompletions(app, ctx);
  registerEmbeddings(app, ctx);
}
