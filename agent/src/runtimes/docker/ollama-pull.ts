/**
 * Pulls the models an Ollama spec lists, through the server's own API (POST /api/pull, streamed), once it is
 * healthy. Models already in its cache (GET /api/tags) are not pulled again, so a node with a warm cache starts
 * offline. Errors arrive as `{"error": …}` lines with HTTP 200 and fail the start.
 */
import { ContainerError } from './errors.js';

export interface ModelPullProgress {
  model: string;
  status: string;
  completed?: number;
  total?: number;
}

const withTag = (m: string) => (m.includes(':') ? m : `${m}:latest`);

export async function pullOllamaModels(
  baseUrl: string,
  models: string[],
  onProgress?: (p: ModelPullProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (models.length === 0) return;
  const tags = await fetch(`${baseUrl}/api/tags`, { signal }).then(
    (r) => r.json() as Promise<{ models?: { name: string }[] }>,
  );
  const present = new Set((tags.models ?? []).map((m) => withTag(m.name)));
  for (const model of models) {
    if (present.has(withTag(model))) continue;
    const res = await fetch(`${baseUrl}/api/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true }),
      signal,
    });
    if (!res.ok || !res.body) {
      throw new ContainerError(
        'model-pull-failed',
        `cannot pull ${model}: HTTP ${res.status} ${await res.text()}`,
      );
    }
    let rest = '';
    let success = false;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const lines = (rest + Buffer.from(chunk).toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const event = JSON.parse(line) as {
          status?: string;
          error?: string;
          completed?: number;
          total?: number;
        };
        if (event.error)
          throw new ContainerError('model-pull-failed', `cannot pull ${model}: ${event.error}`);
        if (event.status === 'success') success = true;
        if (event.status)
          onProgress?.({ model, status: event.status, completed: event.completed, total: event.total });
      }
    }
    if (!success)
      throw new ContainerError('model-pull-failed', `cannot pull ${model}: the stream ended early`);
  }
}
