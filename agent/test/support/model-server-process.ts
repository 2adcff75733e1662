/**
 * The Orchion model server (model-server/dist/server.js, built from the current sources) as a child process on
 * loopback, over a temporary models dir holding the tiny random-weight model: an external Ollama- and
 * OpenAI-compatible server for runtime and agent tests (real inference).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer } from '../../../model-server/test/support/build.js';
import { writeTinyModel } from '../../src/models/index.js';

export const TINY = 'orchion-tiny';

export interface ServerProcess {
  url: string;
  port: number;
  modelsDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

let built: Promise<string> | undefined;

/** A models dir with the tiny model, under a fresh temporary directory (removed by `removeDir`). */
export async function tinyModelsDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'orchion-ext-server-'));
  const modelsDir = join(root, 'models');
  await mkdir(modelsDir);
  await writeTinyModel(join(modelsDir, `${TINY}.gguf`));
  return modelsDir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Starts the server (port 0: a free one) and resolves once it prints that it listens. */
export async function startServerProcess(o: { modelsDir: string; port?: number }): Promise<ServerProcess> {
  built ??= buildServer();
  const serverJs = await built;
  const child = spawn(
    process.execPath,
    [
      serverJs,
      '--port',
      String(o.port ?? 0),
      '--models-dir',
      o.modelsDir,
      '--threads',
      '1',
      '--gpu',
      'false',
    ],
    { env: { ...process.env, ORCHION_MODEL_SERVER_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the model server did not start:\n${out}`)), 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the model server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    modelsDir: o.modelsDir,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
