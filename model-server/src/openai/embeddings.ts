/**
 * POST /v1/embeddings: `input` a string or a list of strings; vectors L2-normalized (as OpenAI's are), cut to
 * `dimensions` when asked, as float lists or base64 little-endian float32 (`encoding_format`; the official
 * client asks for base64 by default).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { badRequest } from '../errors.js';
import { resolveModelName } from '../models.js';
import { normalize, truncateDimensions } from '../ollama/embed.js';
import { modelField, objectBody } from '../request.js';
import { clientGone } from '../streaming.js';
import { openaiNotFound } from './convert.js';

const base64 = (v: number[]) => Buffer.from(new Float32Array(v).buffer).toString('base64');

export function registerEmbeddings(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/v1/embeddings', async (req, reply) => {
    const b = objectBody(req.body);
    const model = modelField(b);
    const input = typeof b.input === 'string' ? [b.input] : b.input;
    if (!Array.isArray(input) || input.length === 0 || input.some((t) => typeof t !== 'string')) {
      throw badRequest(
        'input must be a string or a non-empty list of strings (token lists are not supported)',
      );
    }
    const format = b.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64')
      throw badRequest('encoding_format must be float or base64');
    const name = resolveModelName(model, await ctx.host.listModels());
    const r = await ctx.host
      .embed({ model: name, input: input as string[], signal: clientGone(reply) }, undefined)
      .catch((err: unknown) => Promise.reject(openaiNotFound(err, model)));
    const vectors = truncateDimensions(r.embeddings.map(normalize), b.dimensions);
    return {
      object: 'list',
      data: vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: format === 'base64' ? base64(v) : v,
      })),
      model,
      usage: { prompt_tokens: r.promptTokens, total_tokens: r.promptTokens },
    };
  });
}
