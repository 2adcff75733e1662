// Entry point of the vLLM stand-in test image (vllm/vllm-openai cannot be downloaded here): the official image's
// convention — `vllm serve` arguments MODEL --host H --port P --served-model-name NAME [...] — turned into
// model-server's environment, serving only the OpenAI API like vLLM. model-server names a model after its file
// (orchion-tiny with ORCHION_MODEL_SERVER_TINY_MODEL=1), so MODEL and NAME must be that name.
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const model = args[0];
const served = opt('--served-model-name') ?? model;
if (!model || model.startsWith('--') || served !== model) {
  console.error(
    `vllm stand-in: serves its model under the file's name; got model ${model}, served name ${served}`,
  );
  process.exit(2);
}
process.env.ORCHION_MODEL_SERVER_HOST ??= opt('--host') ?? '0.0.0.0';
process.env.ORCHION_MODEL_SERVER_PORT ??= opt('--port') ?? '8000';
process.env.ORCHION_MODEL_SERVER_MODELS_DIR ??= '/root/.cache/huggingface/orchion-models';
process.env.ORCHION_MODEL_SERVER_API ??= 'openai';
console.log(`vllm stand-in: serving ${model} (vllm serve ${args.join(' ')})`);
process.argv = process.argv.slice(0, 2);
await import('/app/model-server/dist/server.js');
