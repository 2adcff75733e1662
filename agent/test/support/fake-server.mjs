// A stand-in inference server for container tests (runs inside a test image on the host's `node`): just enough
// of the Ollama and OpenAI HTTP APIs for lifecycle tests and the container benchmark. It echoes the prompt's
// words as tokens (`options.token_delay_ms` on /api/generate, or FAKE_TOKEN_DELAY_MS, slows them down). Port: OLLAMA_HOST (Ollama style) or `MODEL --host H --port P --served-model-name N` (vLLM style).
//   --never-listen   log lines forever but never open the port (health-timeout tests)
//   POST /crash      exit with code 3 at once (crash tests)
import { createServer } from 'node:http';

const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const [envHost, envPort] = (process.env.OLLAMA_HOST ?? '').split(':');
const host = flag('host') ?? (envHost || '127.0.0.1');
const port = Number(flag('port') ?? (envPort || 11434));
const model = argv[0] && !argv[0].startsWith('--') ? argv[0] : 'fake';
const served = flag('served-model-name') ?? model;
const models = new Set([served]);

if (argv.includes('--never-listen')) {
  console.log(`fake server: loading ${model} (will never listen on ${port})`);
  console.error('fake server: stderr says hello too');
  setInterval(() => console.log('fake server: still loading...'), 500);
} else {
  const server = createServer((req, res) => handle(req, res).catch((err) => fail(res, 500, String(err))));
  server.listen(port, host, () => {
    console.log(`fake server: listening on ${host}:${port}, model ${served}`);
    console.error('fake server: stderr says hello too');
  });
  process.on('SIGTERM', () => {
    console.log('fake server: SIGTERM, closing');
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://x');
  const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
  console.log(`fake server: ${req.method} ${url.pathname}`);
  if (req.method === 'GET' && url.pathname === '/') return text(res, 'Ollama is running');
  if (req.method === 'GET' && url.pathname === '/health') return json(res, {});
  if (req.method === 'GET' && url.pathname === '/api/version') return json(res, { version: '0.0.0-fake' });
  if (req.method === 'GET' && url.pathname === '/api/tags') {
    return json(res, {
      models: [...models].map((name) => ({ name: name.includes(':') ? name : `${name}:latest` })),
    });
  }
  if (req.method === 'POST' && url.pathname === '/crash') {
    console.error('fake server: crashing on request (exit 3)');
    process.exit(3);
  }
  if (req.method === 'POST' && url.pathname === '/api/pull') return pull(res, body.model ?? body.name);
  if (req.method === 'POST' && url.pathname === '/api/generate') return generate(res, body);
  if (req.method === 'GET' && url.pathname === '/v1/models') {
    return json(res, { object: 'list', data: [...models].map((id) => ({ id, object: 'model' })) });
  }
  if (req.method === 'POST' && url.pathname === '/v1/completions') return completions(res, body);
  return fail(res, 404, `no route ${req.method} ${url.pathname}`);
}

function pull(res, name) {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.write(JSON.stringify({ status: 'pulling manifest' }) + '\n');
  if (String(name).startsWith('missing')) {
    res.end(JSON.stringify({ error: 'pull model manifest: file does not exist' }) + '\n');
    return;
  }
  res.write(JSON.stringify({ status: `pulling ${name}`, completed: 0, total: 100 }) + '\n');
  res.write(JSON.stringify({ status: `pulling ${name}`, completed: 100, total: 100 }) + '\n');
  models.add(name);
  res.end(JSON.stringify({ status: 'success' }) + '\n');
}

const words = (prompt) =>
  String(prompt ?? '')
    .split(/(?<=\s)/)
    .filter(Boolean);

async function generate(res, body) {
  const tokens = words(body.prompt);
  if (body.stream === false) {
    return json(res, { model: body.model, response: tokens.join(''), done: true, eval_count: tokens.length });
  }
  const delay = Number(body.options?.token_delay_ms ?? process.env.FAKE_TOKEN_DELAY_MS ?? 0);
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const t of tokens) {
    res.write(JSON.stringify({ model: body.model, response: t, done: false }) + '\n');
    if (delay) await new Promise((r) => setTimeout(r, delay));
  }
  res.end(JSON.stringify({ model: body.model, response: '', done: true, eval_count: tokens.length }) + '\n');
}

async function completions(res, body) {
  const tokens = words(body.prompt);
  if (!body.stream) {
    return json(res, {
      object: 'text_completion',
      model: body.model,
      choices: [{ index: 0, text: tokens.join('') }],
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const t of tokens) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: t }] })}\n\n`);
  res.end('data: [DONE]\n\n');
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function json(res, value) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function text(res, value) {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(value);
}

function fail(res, status, message) {
  if (res.headersSent) return res.destroy();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: message }));
}
