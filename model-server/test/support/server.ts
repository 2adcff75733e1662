/**
 * Starts the model server in-process on a free loopback port, over the embedded llama.cpp runtime and the tiny
 * random-weight model in a temporary models dir (real inference). Used by the model server's tests and by the
 * agent's Ollama/OpenAI runtime tests.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLlamaWorker } from '../../../agent/test/unit/helpers/llama-worker.js';
import { writeTinyModel } from '../../../agent/src/models/index.js';
import { EmbeddedRuntime } from '../../../agent/src/runtimes/index.js';
import { createModelServer, type ModelServer, type ModelServerOptions } from '../../src/index.js';

export const MODEL = 'orchion-tiny';

export interface TestServer extends ModelServer {
  url: string;
  modelsDir: string;
  /** The --pull-from directory (empty at first). */
  pullDir: string;
  close(): Promise<void>;
}

export async function startModelServer(
  options: Partial<Omit<ModelServerOptions, 'createRuntime'>> = {},
): Promise<TestServer> {
  const root = await mkdtemp(join(tmpdir(), 'orchion-model-server-'));
  const modelsDir = join(root, 'models');
  const pullDir = join(root, 'pull-from');
  await mkdir(modelsDir);
  await mkdir(pullDir);
  await writeTinyModel(join(modelsDir, `${MODEL}.gguf`));
  const workerPath = await buildLlamaWorker();
  const server = createModelServer({
    createRuntime: () => new EmbeddedRuntime({ modelsDir, workerPath, gpu: false, threads: 1 }),
    modelsDir,
    pullFrom: pullDir,
    ...options,
  });
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    ...server,
    url,
    modelsDir,
    pullDir,
    async close() {
      await server.app.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Resolves once `predicate` holds (polled every 10 ms), or rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 5000, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A free loopback port with nothing listening (for "server down" tests). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}
