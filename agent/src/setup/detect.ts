/**
 * Finds an Ollama server already running on this machine (127.0.0.1:11434 by default), so that an agent
 * without configured runtimes serves its models too. Only loopback addresses are ever probed.
 */

export const LOCAL_OLLAMA_URL = 'http://127.0.0.1:11434';
export const DETECT_TIMEOUT_MS = 500;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK.has(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Whether an Ollama server answers at `url` (GET / → "Ollama is running") within `timeoutMs`. Never throws;
 * refuses (false) any address that is not loopback.
 */
export async function detectOllama(url = LOCAL_OLLAMA_URL, timeoutMs = DETECT_TIMEOUT_MS): Promise<boolean> {
  if (!isLoopbackUrl(url)) return false;
  try {
    const res = await fetch(new URL('/', url), { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return res.ok && text.trim() === 'Ollama is running';
  } catch {
    return false;
  }
}
