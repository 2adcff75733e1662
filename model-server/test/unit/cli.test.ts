/**
 * The bundled server as a child process, configured by env or argv as a container would be: readiness, a real
 * generation, --api selection, usage errors, and a clean stop on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../support/build.js';

let serverJs: string;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  serverJs = await buildServer();
  dir = await mkdtemp(join(tmpdir(), 'orchion-model-server-cli-'));
}, 30_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts the server and resolves with its URL once it prints that it listens. */
function start(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [serverJs, ...args], {
    env: {
      ...process.env,
      ORCHION_MODEL_SERVER_GPU: 'false',
      ORCHION_MODEL_SERVER_LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line:\n${out}`)), 15_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${out}`));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

describe('orchion-model-server (child process)', () => {
  it('starts from env alone, writes the tiny model, serves both APIs and stops on SIGTERM', async () => {
    const models = join(dir, 'env-models');
    const s = await start([], {
      ORCHION_MODEL_SERVER_PORT: '0',
      ORCHION_MODEL_SERVER_MODELS_DIR: models,
      ORCHION_MODEL_SERVER_TINY_MODEL: '1',
    });
    expect(await readdir(models)).toEqual(['orchion-tiny.gguf']);
    expect(await (await fetch(`${s.url}/`)).text()).toBe('Ollama is running');
    expect(await (await fetch(`${s.url}/health`)).json()).toMatchObject({
      status: 'ok',
      runtime: 'embedded',
    });
    const gen = await fetch(`${s.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'orchion-tiny',
        prompt: 'Hi',
        stream: false,
        options: { num_predict: 4 },
      }),
    });
    expect(gen.status).toBe(200);
    expect(await gen.json()).toMatchObject({ done: true, eval_count: expect.any(Number) });
    const models1 = (await (await fetch(`${s.url}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models1.data[0]!.id).toBe('orchion-tiny');
    s.child.kill('SIGTERM');
    expect(await exited(s.child)).toBe(0);
  });

  it('serves only the APIs asked for', async () => {
    const s = await start(['--port', '0', '--models-dir', join(dir, 'env-models'), '--api', 'openai']);
    expect((await fetch(`${s.url}/api/tags`)).status).toBe(404);
    expect((await fetch(`${s.url}/v1/models`)).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await exited(s.child)).toBe(0);
  });

  it('exits with status 2 and the usage on bad options', async () => {
    const child = spawn(process.execPath, [serverJs, '--models-dir', dir, '--api', 'grpc'], {
      stdio: 'pipe',
    });
    children.push(child);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exited(child)).toBe(2);
    expect(err).toContain('--api must list ollama, openai');
    expect(err).toContain('Usage: orchion-model-server');
  });
});
