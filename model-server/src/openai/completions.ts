/**
 * POST /v1/chat/completions and /v1/completions: one JSON object, or with `stream: true` server-sent events
 * (`data: {chunk}` … `data: [DONE]`), with a last usage chunk when `stream_options.include_usage` is set.
 * `max_tokens` defaults to 16 for /v1/completions (as OpenAI and vLLM do) and to the runtime's limit for chat.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { GenerateResult } from '../agent.js';
import type { ServerContext } from '../context.js';
import { badRequest, messageOf, openaiCode, openaiError, statusOf } from '../errors.js';
import { resolveModelName } from '../models.js';
import { modelField, newId, objectBody, optionalString, type Body } from '../request.js';
import { clientGone, ResponseStream } from '../streaming.js';
import {
  chatMessages,
  completionPrompt,
  finishReason,
  generateOptions,
  openaiNotFound,
  usage,
} from './convert.js';

type Run = (onToken: (text: string) => void, signal: AbortSignal) => Promise<GenerateResult>;

interface Kind {
  object: string;
  chunkObject: string;
  idPrefix: string;
  /** The choice of a complete answer. */
  choice: (text: string, finish: string) => Body;
  /** The choice of a streamed chunk; `first` is the chunk before any text. */
  delta: (text: string | undefined, finish: string | null, first?: boolean) => Body;
}

const CHAT: Kind = {
  object: 'chat.completion',
  chunkObject: 'chat.completion.chunk',
  idPrefix: 'chatcmpl',
  choice: (text, finish) => ({
    index: 0,
    message: { role: 'assistant', content: text, refusal: null },
    logprobs: null,
    finish_reason: finish,
  }),
  delta: (text, finish, first) => ({
    index: 0,
    delta: first ? { role: 'assistant', content: '' } : text === undefined ? {} : { content: text },
    logprobs: null,
    finish_reason: finish,
  }),
};

const TEXT: Kind = {
  object: 'text_completion',
  chunkObject: 'text_completion',
  idPrefix: 'cmpl',
  choice: (text, finish) => ({ index: 0, text, logprobs: null, finish_reason: finish }),
  delta: (text, finish) => ({ index: 0, text: text ?? '', logprobs: null, finish_reason: finish }),
};

const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

export function registerCompletions(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/v1/chat/completions', async (req, reply) => {
    const b = objectBody(req.body);
    const model = modelField(b);
    const messages = chatMessages(b.messages);
    const options = generateOptions(b);
    const name = resolveModelName(model, await ctx.host.listModels());
    const run: Run = (onToken, signal) =>
      ctx.host.chat({ model: name, messages, options, onToken, signal }, undefined);
    return respond(reply, b, model, CHAT, run);
  });

  app.post('/v1/completions', async (req, reply) => {
    const b = objectBody(req.body);
    const model = modelField(b);
    const prompt = completionPrompt(b.prompt);
    if (b.echo === true) throw badRequest('echo is not supported');
    if (optionalString(b, 'suffix')) throw badRequest('suffix is not supported');
    const options = generateOptions(b, COMPLETIONS_DEFAULT_MAX_TOKENS);
    const name = resolveModelName(model, await ctx.host.listModels());
    const run: Run = (onToken, signal) =>
      ctx.host.complete({ model: name, prompt, options, onToken, signal }, undefined);
    return respond(reply, b, model, TEXT, run);
  });
}

const sse = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

async function respond(reply: FastifyReply, b: Body, model: string, kind: Kind, run: Run) {
  const id = newId(kind.idPrefix);
  const created = Math.floor(Date.now() / 1000);
  const head = { id, created, model, system_fingerprint: null };
  if (b.stream !== true) {
    const signal = clientGone(reply);
    const r = await run(() => undefined, signal).catch((err: unknown) =>
      Promise.reject(openaiNotFound(err, model)),
    );
    if (signal.aborted) return reply.hijack();
    return reply.send({
      ...head,
      object: kind.object,
      choices: [kind.choice(r.text, finishReason(r.stopReason))],
      usage: usage(r.promptTokens, r.completionTokens),
    });
  }
  const includeUsage = objectBody(b.stream_options).include_usage === true;
  const extra = includeUsage ? { usage: null } : {};
  const chunk = (choice: Body) => sse({ ...head, object: kind.chunkObject, choices: [choice], ...extra });
  const out = new ResponseStream(reply, 'text/event-stream; charset=utf-8');
  let first = kind === CHAT;
  try {
    const r = await run((text) => {
      if (first) out.write(chunk(kind.delta(undefined, null, true)));
      first = false;
      out.write(chunk(kind.delta(text, null)));
    }, out.signal);
    if (out.signal.aborted) return out.end();
    if (first) out.write(chunk(kind.delta(undefined, null, true)));
    out.write(chunk(kind.delta(undefined, finishReason(r.stopReason))));
    if (includeUsage) {
      out.write(
        sse({
          ...head,
          object: kind.chunkObject,
          choices: [],
          usage: usage(r.promptTokens, r.completionTokens),
        }),
      );
    }
    out.end('data: [DONE]\n\n');
  } catch (caught) {
    const err = openaiNotFound(caught, model);
    const body = openaiError(statusOf(err), messageOf(err), openaiCode(err));
    if (out.headersSent) out.end(sse(body));
    else out.fail(statusOf(err), body);
  }
}
