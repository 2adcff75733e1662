/**
 * POST /api/generate and /api/chat: NDJSON streaming by default (`stream: false` for one JSON object), options,
 * `format` (JSON or a JSON schema, grammar-constrained), `keep_alive`. A request with no prompt (no messages)
 * only loads the model, or unloads it with `keep_alive: 0`, as Ollama does.
 *
 * /api/generate applies the model's chat template unless `raw` is set (then the prompt is completed as is).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ChatMessage, GenerateResult } from '../agent.js';
import type { ServerContext } from '../context.js';
import { badRequest, messageOf, ollamaError, statusOf } from '../errors.js';
import type { KeepAliveMs } from '../keep-alive.js';
import { resolveModelName } from '../models.js';
import { modelField, ndjson, nonEmptyArray, objectBody, optionalString, type Body } from '../request.js';
import { clientGone, ResponseStream } from '../streaming.js';
import { doneReason, generateOptions, keepAlive, ollamaNotFound, Timing } from './convert.js';

type Run = (onToken: (text: string) => void, signal: AbortSignal) => Promise<GenerateResult>;

interface Shape {
  /** The fields of a streamed chunk for `text`. */
  piece: (text: string) => Body;
}

const GENERATE: Shape = { piece: (text) => ({ response: text }) };
const CHAT: Shape = { piece: (text) => ({ message: { role: 'assistant', content: text } }) };

export function registerGenerate(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/generate', async (req, reply) => {
    const b = objectBody(req.body);
    const model = modelField(b);
    refuseUnsupported(b, model);
    if (optionalString(b, 'suffix')) throw badRequest(`${model} does not support insert (suffix)`);
    if (optionalString(b, 'template')) throw badRequest('custom templates are not supported');
    const prompt = optionalString(b, 'prompt') ?? '';
    const name = resolveModelName(model, await ctx.host.listModels());
    const keep = keepAlive(b.keep_alive);
    if (prompt === '') return loadOrUnload(ctx, reply, model, name, keep, GENERATE);
    const options = generateOptions(b.options, b.format);
    const system = optionalString(b, 'system');
    const run: Run = (onToken, signal) =>
      b.raw === true
        ? ctx.host.complete({ model: name, prompt, options, onToken, signal }, keep)
        : ctx.host.chat(
            {
              model: name,
              messages: [
                ...(system ? [{ role: 'system' as const, content: system }] : []),
                { role: 'user', content: prompt },
              ],
              options,
              onToken,
              signal,
            },
            keep,
          );
    return respond(reply, model, b.stream !== false, GENERATE, run);
  });

  app.post('/api/chat', async (req, reply) => {
    const b = objectBody(req.body);
    const model = modelField(b);
    refuseUnsupported(b, model);
    if (nonEmptyArray(b.tools))
      throw badRequest(`registry.ollama.ai/library/${model} does not support tools`);
    const messages = chatMessages(b.messages);
    const name = resolveModelName(model, await ctx.host.listModels());
    const keep = keepAlive(b.keep_alive);
    if (messages.length === 0) return loadOrUnload(ctx, reply, model, name, keep, CHAT);
    const options = generateOptions(b.options, b.format);
    const run: Run = (onToken, signal) =>
      ctx.host.chat({ model: name, messages, options, onToken, signal }, keep);
    return respond(reply, model, b.stream !== false, CHAT, run);
  });
}

function refuseUnsupported(b: Body, model: string): void {
  if (nonEmptyArray(b.images)) throw badRequest(`${model} does not support images`);
  if (b.think === true || typeof b.think === 'string')
    throw badRequest(`"${model}" does not support thinking`);
}

function chatMessages(value: unknown): ChatMessage[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest('messages must be a list');
  return value.map((m: unknown) => {
    const msg = objectBody(m);
    if (nonEmptyArray(msg.images)) throw badRequest('this model does not support images');
    if (typeof msg.content !== 'string') throw badRequest('each message needs a string content');
    return { role: msg.role as ChatMessage['role'], content: msg.content };
  });
}

async function loadOrUnload(
  ctx: ServerContext,
  reply: FastifyReply,
  model: string,
  name: string,
  keep: KeepAliveMs | undefined,
  shape: Shape,
) {
  const unload = keep === 0;
  if (unload) await ctx.host.unload(name);
  else await ctx.host.load(name, keep).catch((err: unknown) => Promise.reject(ollamaNotFound(err, model)));
  return reply.send({
    model,
    created_at: new Date().toISOString(),
    ...shape.piece(''),
    done: true,
    done_reason: unload ? 'unload' : 'load',
  });
}

/** Runs a generation and answers as a stream of NDJSON chunks or as one JSON object. */
async function respond(reply: FastifyReply, model: string, stream: boolean, shape: Shape, run: Run) {
  const timing = new Timing();
  const created = () => new Date().toISOString();
  if (!stream) {
    const signal = clientGone(reply);
    const r = await run(() => timing.chunk(), signal).catch((err: unknown) =>
      Promise.reject(ollamaNotFound(err, model)),
    );
    if (signal.aborted) return reply.hijack();
    return reply.send({
      model,
      created_at: created(),
      ...shape.piece(r.text),
      done: true,
      done_reason: doneReason(r.stopReason),
      ...timing.stats(r),
    });
  }
  const out = new ResponseStream(reply, 'application/x-ndjson');
  try {
    const r = await run((text) => {
      timing.chunk();
      out.write(ndjson({ model, created_at: created(), ...shape.piece(text), done: false }));
    }, out.signal);
    if (out.signal.aborted) return out.end();
    out.end(
      ndjson({
        model,
        created_at: created(),
        ...shape.piece(''),
        done: true,
        done_reason: doneReason(r.stopReason),
        ...timing.stats(r),
      }),
    );
  } catch (caught) {
    const err = ollamaNotFound(caught, model);
    if (out.headersSent) out.end(ndjson(ollamaError(messageOf(err))));
    else out.fail(statusOf(err), ollamaError(messageOf(err)));
  }
}
