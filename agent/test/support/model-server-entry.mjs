// Entry point of the model-server test image: the Ollama convention (OLLAMA_HOST=host:port, models under
// /root/.ollama/models) turned into model-server's arguments, so the manager's `ollama` spec runs it unchanged.
const [, port = '11434'] = (process.env.OLLAMA_HOST ?? '').split(':');
process.argv.push('--port', port, '--models-dir', process.env.MODELS_DIR ?? '/root/.ollama/models');
await import('/app/model-server/dist/server.js');
