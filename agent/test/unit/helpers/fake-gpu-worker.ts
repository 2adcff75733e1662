/**
 * A TEST DOUBLE of the llama worker (agent/src/runtimes/embedded/worker.ts) for GPU behaviour, which cannot run on
 * a machine without a GPU: it speaks the same IPC protocol, and on a "GPU" it prints what the real CUDA backend
 * printed on an H200 whose driver could not run node-llama-cpp's prebuilt PTX, then aborts like it did. With
 * `gpu: false` it answers every request (echoing the prompt). A prompt of "assert" aborts on any backend with a
 * GGML assertion that names no GPU backend, like a model that llama.cpp cannot run anywhere.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The end of the real worker's stderr in that crash (device check, 2026-11-27), frames shortened. */
export const CUDA_PTX_CRASH = [
  '/home/runner/work/node-llama-cpp/node-llama-cpp/llama/llama.cpp/ggml/src/ggml-cuda/ggml-cuda.cu:108: CUDA error',
  '[node-llama-cpp] CUDA error: the provided PTX was compiled with an unsupported toolchain.',
  '/tmp/o/app/node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/libggml-base.so(+0x1c8eb)[0x7f679814d8eb]',
  '/tmp/o/app/node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/libggml-base.so(ggml_abort+0x152)[0x7f679814df42]',
  '[node-llama-cpp]   current device: 0, in function ggml_cuda_kernel_can_use_pdl at /home/runner/work/node-llama-cpp/node-llama-cpp/llama/llama.cpp/ggml/src/ggml-cuda/common.cuh:1640',
  '[node-llama-cpp]   cudaFuncGetAttributes(&attr, kernel)',
  '/tmp/o/app/node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/llama-addon.node(_ZN4Napi11AsyncWorker18OnAsyncWorkExecuteEP10napi_env__Pv+0x32)[0x7f679b89b4b2]',
  '/tmp/o/node[0x18a7b40]',
  '/lib/x86_64-linux-gnu/libc.so.6(+0x129ecc)[0x7f679b729ecc]',
].join('\n');

const SOURCE = `
import { writeSync } from 'node:fs';
const config = JSON.parse(process.argv[2] ?? '{}');
const gpu = config.gpu === false ? false : 'cuda';
const send = (m) => process.send(m);
let announced = false;
process.on('message', (m) => {
  if (m.type === 'shutdown') process.exit(0);
  if (m.type === 'abort') return;
  if (!announced) send({ type: 'backend', gpu, devices: gpu ? ['NVIDIA test double'] : [] });
  announced = true;
  if (m.prompt === 'assert') {
    writeSync(2, 'llama.cpp/src/llama-model.cpp:512: GGML_ASSERT(hparams.n_head() > 0) failed\\n');
    process.abort();
  }
  if (gpu) {
    writeSync(2, ${JSON.stringify(CUDA_PTX_CRASH + '\n')});
    process.abort();
  }
  send({ type: 'loaded', model: m.model });
  if (m.type === 'embed') {
    send({ type: 'result', id: m.id, result: { embeddings: m.input.map(() => [1, 0]), dimensions: 2, promptTokens: 1 } });
    return;
  }
  const text = m.prompt ?? '';
  send({ type: 'tokens', id: m.id, text });
  send({ type: 'result', id: m.id, result: { text, stopReason: 'maxTokens', promptTokens: 1, completionTokens: 1, durationMs: 1 } });
});
process.on('disconnect', () => process.exit(0));
`;

/** Writes the test double to `dir` and returns its path. */
export async function writeFakeGpuWorker(dir: string): Promise<string> {
  const path = join(dir, 'fake-gpu-worker.mjs');
  await writeFile(path, SOURCE);
  return path;
}
