/**
 * POST /api/embed (`input`: a string or a list → `embeddings`, L2-normalized as Ollama returns them, optionally
 * cut to `dimensions`) and the older POST /api/embeddings (`prompt` → one raw `embedding`).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { badRequest } from '../errors.js';
import { resolveModelName } from '../models.js';
import { modelField, objectBody } from '../request.js';
import { clientGone } from '../streaming.js';
import { keepAlive, ollamaNotFound, Timing } from './convert.js';

export function normalize(v: number[]): number[] {
  const norm = Math.hypot(...v);
  return norm > 0 ? v.map((x) => x / norm) : v;
}

/** Cuts vectors to `dimensions` (and renormalizes), as Ollama and OpenAI do for Matryoshka-style requests. */
export function truncateDimensions(vectors: number[][], dimensions: unknown): number[][] {
  if (dimensions === undefined || dimensions === null) return vectors;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) {
    throw badRequest('dimensions must be a positive integer');
  }
  const size = vectors[0]?.length ?? 0;
  if (dimensions > size) throw badRequest(`dimensions ${dimensions} exceeds the model's ${size}`);
  return dimensions === size ? vectors : vectors.map((v) => normalize(v.slice(0, dimensions)));
}

export function registerEmbed(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/embed', async (req, reply) => {
    const b = objectBody(req.body);
    const model = modelField(b);
    const input = typeof b.input === 'string' ? [b.input] : b.input;
    if (!Array.isArray(input) || input.some((t) => typeof t !== 'string')) {
      throw badRequest('input must be a string or a list of strings');
    }
    const name = resolveModelName(model, await ctx.host.listModels());
    const keep = keepAlive(b.keep_alive);
    const timing = new Timing();
    if (input.length === 0 || (input.length === 1 && input[0] === '')) {
      await ctx.host.load(name, keep).catch((err: unknown) => Promise.reject(ollamaNotFound(err, model)));
      return { model, embeddings: [], ...timing.totals(), prompt_eval_count: 0 };
    }
    const r = await ctx.host
      .embed({ model: name, input: input as string[], signal: clientGone(reply) }, keep)
      .catch((err: unknown) => Promise.reject(ollamaNotFound(err, model)));
    return {
      model,
      embeddings: truncateDimensions(r.embeddings.map(normalize), b.dimensions),
      ...timing.totals(),
      prompt_eval_count: r.promptTokens,
    };
  });

  app.post('/api/embeddings', async (req, reply) => {
    const b = objectBody(req.body);
    const model = modelField(b);
    if (typeof b.prompt !== 'string') throw badRequest('prompt must be a string');
    if (b.prompt === '') return { embedding: [] };
    const name = resolveModelName(model, await ctx.host.listModels());
    const r = await ctx.host
      .embed({ model: name, input: [b.prompt], signal: clientGone(reply) }, keepAlive(b.keep_alive))
      .catch((err: unknown) => Promise.reject(ollamaNotFound(err, model)));
    return { embedding: r.embeddings[0] ?? [] };
  });
}
