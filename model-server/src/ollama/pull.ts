/**
 * POST /api/pull. Nothing can be downloaded here, so a pull succeeds at once for a model already in the models
 * dir, copies `<name>.gguf` from the `pullFrom` directory (with real byte progress) when it is there, and
 * otherwise streams Ollama's error line. As with Ollama, errors in a stream arrive as `{ "error": ... }` lines
 * of an HTTP 200 response; with `stream: false` they are an error status.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { RuntimeError } from '../agent.js';
import type { ServerContext } from '../context.js';
import { badRequest, messageOf, ollamaError, statusOf } from '../errors.js';
import { fileDigest, modelFile, resolveModelName } from '../models.js';
import { modelField, ndjson, objectBody } from '../request.js';
import { clientGone, ResponseStream } from '../streaming.js';

export interface PullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

const DEFAULT_CHUNK = 1 << 20;
const SAFE_NAME = /^[\w][\w.:-]*$/;

const notFound = () => new RuntimeError('model-not-found', 'pull model manifest: file does not exist');

/** Runs one pull, reporting each step; rejects with a RuntimeError. */
async function pull(
  ctx: ServerContext,
  requested: string,
  progress: (p: PullProgress) => void,
  signal: AbortSignal,
): Promise<void> {
  if (!SAFE_NAME.test(requested)) throw badRequest(`invalid model name ${JSON.stringify(requested)}`);
  progress({ status: 'pulling manifest' });
  const models = await ctx.host.listModels();
  const name = resolveModelName(requested, models).replace(/:latest$/, '');
  const have = models.find((m) => m.name === name);
  const source = ctx.pullFrom ? join(ctx.pullFrom, `${name}.gguf`) : undefined;
  const st = source ? await stat(source).catch(() => undefined) : undefined;
  const existing = have && (await modelFile(ctx.modelsDir, name));
  const same =
    existing && st && existing.size === st.size && existing.digest === fileDigest(name, st.size, st.mtimeMs);
  if (have && (!st || !ctx.modelsDir || same)) {
    const size = existing ? existing.size : (have.sizeBytes ?? 0);
    const digest = existing ? existing.digest : fileDigest(name, size, 0);
    progress({ status: `pulling ${short(digest)}`, digest, total: size, completed: size });
  } else {
    if (!source || !st?.isFile() || !ctx.modelsDir) throw notFound();
    await copyWithProgress(source, join(ctx.modelsDir, `${name}.gguf`), st, ctx, progress, signal, name);
  }
  progress({ status: 'verifying sha256 digest' });
  progress({ status: 'writing manifest' });
  progress({ status: 'success' });
}

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

async function copyWithProgress(
  source: string,
  target: string,
  st: { size: number; atimeMs: number; mtimeMs: number },
  ctx: ServerContext,
  progress: (p: PullProgress) => void,
  signal: AbortSignal,
  name: string,
): Promise<void> {
  // The copy keeps the source's mtime, so the digest shown now is the one /api/tags shows afterwards.
  const digest = fileDigest(name, st.size, st.mtimeMs);
  const status = `pulling ${short(digest)}`;
  let completed = 0;
  progress({ status, digest, total: st.size, completed });
  const partial = `${target}.${randomBytes(4).toString('hex')}.partial`;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      completed += chunk.length;
      progress({ status, digest, total: st.size, completed });
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      createReadStream(source, { highWaterMark: ctx.pullChunkBytes ?? DEFAULT_CHUNK }),
      counter,
      createWriteStream(partial),
      { signal },
    );
    await utimes(partial, st.atimeMs / 1000, st.mtimeMs / 1000);
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    if (signal.aborted) throw new RuntimeError('aborted', 'pull cancelled');
    throw new RuntimeError('internal', `copying ${source}: ${messageOf(err)}`);
  }
}

export function registerPull(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/pull', async (req, reply) => {
    const b = objectBody(req.body);
    const model = modelField(b);
    if (b.stream === false) {
      await pull(ctx, model, () => undefined, clientGone(reply));
      return { status: 'success' };
    }
    const out = new ResponseStream(reply, 'application/x-ndjson');
    try {
      await pull(ctx, model, (p) => out.write(ndjson(p)), out.signal);
      out.end();
    } catch (err) {
      // Ollama reports pull failures in the stream (HTTP 200), even before any progress.
      if (out.headersSent || statusOf(err) !== 400) out.end(ndjson(ollamaError(messageOf(err))));
      else out.fail(400, ollamaError(messageOf(err)));
    }
  });
}
