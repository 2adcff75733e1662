// Entry point of the model-server test image: the Ollama convention (OLLAMA_HOST=host:port, models under
// /root/.ollama/models) turned into model-server's environment, so the manager's `ollama` spec runs it unchanged.
const [host, port] = (process.env.OLLAMA_HOST ?? '127.0.0.1:11434').split(':');
process.env.ORCHION_MODEL_SERVER_HOST ??= host || '127.0.0.1';
process.env.ORCHION_MODEL_SERVER_PORT ??= port || '11434';
process.env.ORCHION_MODEL_SERVER_MODELS_DIR ??= '/root/.ollama/models';
await import('/app/model-server/dist/server.js');
