/**
 * The embedded runtime on a GPU whose llama.cpp backend aborts the worker: with gpu 'auto' it moves to the CPU and
 * the request still succeeds; with an explicit backend the crash is reported with its cause. No GPU here: the
 * worker is a test double (helpers/fake-gpu-worker.ts) replaying what the real CUDA backend printed on an H200.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from '../../src/models/index.js';
import { EmbeddedRuntime } from '../../src/runtimes/index.js';
import { gpuCrashCause } from '../../src/runtimes/embedded/gpu-fallback.js';
import { tellingLine } from '../../src/runtimes/embedded/worker-process.js';
import { CUDA_PTX_CRASH, writeFakeGpuWorker } from './helpers/fake-gpu-worker.js';
import { rejection } from './helpers/rejection.js';

const MODEL = 'orchion-tiny';
const PTX_ERROR = 'CUDA error: the provided PTX was compiled with an unsupported toolchain.';
let dir: string;
let workerPath: string;
const runtimes: EmbeddedRuntime[] = [];

function newRuntime(gpu: 'auto' | 'cuda') {
  const notices: { level: string; text: string }[] = [];
  const runtime = new EmbeddedRuntime({
    modelsDir: dir,
    workerPath,
    gpu,
    onNotice: (level, text) => notices.push({ level, text }),
  });
  runtimes.push(runtime);
  return { runtime, notices };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orchion-gpu-fallback-'));
  workerPath = await writeFakeGpuWorker(dir);
  await writeTinyModel(join(dir, `${MODEL}.gguf`));
});

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('a GPU backend that crashes the llama worker', () => {
  it("with gpu 'auto': the request runs again on the CPU, which serves from then on, and the node log says why", async () => {
    const { runtime, notices } = newRuntime('auto');
    const tokens: string[] = [];
    const first = await runtime.complete({ model: MODEL, prompt: 'hello', onToken: (t) => tokens.push(t) });
    expect(first.text).toBe('hello');
    expect(tokens).toEqual(['hello']); // streamed once, by the CPU worker
    const pid = runtime.workerPid;
    const second = await runtime.complete({ model: MODEL, prompt: 'again' });
    expect(second.text).toBe('again');
    expect(runtime.workerPid).toBe(pid); // no second crash, no new worker
    const embedded = await runtime.embed({ model: MODEL, input: ['x'] });
    expect(embedded.dimensions).toBe(2);
    expect(notices).toEqual([
      { level: 'info', text: 'llama.cpp runs on CUDA (NVIDIA test double)' },
      {
        level: 'warn',
        text:
          `llama.cpp's CUDA backend crashed ([node-llama-cpp] ${PTX_ERROR}); the embedded runtime runs on the CPU ` +
          'from now on (set its gpu option to false to skip the GPU, or to "cuda" to keep it and see the errors)',
      },
      { level: 'info', text: 'llama.cpp runs on the CPU' },
    ]);
  });

  it('an embedding is retried on the CPU too', async () => {
    const { runtime, notices } = newRuntime('auto');
    const r = await runtime.embed({ model: MODEL, input: ['a', 'b'] });
    expect(r.embeddings).toHaveLength(2);
    expect(notices.map((n) => n.level)).toEqual(['info', 'warn', 'info']);
  });

  it('with an explicit backend: the request fails as runtime-crashed, naming the CUDA error', async () => {
    const { runtime, notices } = newRuntime('cuda');
    const err = await rejection(runtime.complete({ model: MODEL, prompt: 'hello' }));
    expect(err.code).toBe('runtime-crashed');
    expect(err.message).toContain(`killed by SIGABRT ([node-llama-cpp] ${PTX_ERROR})`);
    expect(err.message).not.toMatch(/\[0x[0-9a-f]+\]/); // the native backtrace is left out
    expect(notices).toEqual([{ level: 'info', text: 'llama.cpp runs on CUDA (NVIDIA test double)' }]);
  });

  it('a crash that names no GPU backend (a model llama.cpp cannot run anywhere) keeps the GPU', async () => {
    const { runtime, notices } = newRuntime('auto');
    const err = await rejection(runtime.complete({ model: MODEL, prompt: 'assert' }));
    expect(err.code).toBe('runtime-crashed');
    expect(err.message).toContain(
      '(llama.cpp/src/llama-model.cpp:512: GGML_ASSERT(hparams.n_head() > 0) failed)',
    );
    expect(notices.filter((n) => n.level === 'warn')).toEqual([]);
  });
});

describe('reading a crash', () => {
  it('the telling line is the error, not a backtrace frame', () => {
    expect(tellingLine(CUDA_PTX_CRASH)).toBe(`[node-llama-cpp] ${PTX_ERROR}`);
    expect(tellingLine('just\nnoise\n')).toBeUndefined();
  });

  it("only gpu 'auto' falls back, only from a GPU, only for output that names its backend", () => {
    expect(gpuCrashCause('auto', 'cuda', CUDA_PTX_CRASH)).toBe(`[node-llama-cpp] ${PTX_ERROR}`);
    expect(gpuCrashCause('cuda', 'cuda', CUDA_PTX_CRASH)).toBeUndefined();
    expect(gpuCrashCause('auto', false, CUDA_PTX_CRASH)).toBeUndefined();
    expect(gpuCrashCause('auto', 'vulkan', CUDA_PTX_CRASH)).toBeUndefined();
    expect(gpuCrashCause('auto', 'vulkan', 'ggml_vulkan: Device lost\nAborted')).toBe('Aborted');
    expect(gpuCrashCause('auto', 'cuda', 'GGML_ASSERT(x) failed')).toBeUndefined();
  });
});
