/**
 * Readers for streamed HTTP bodies: lines, NDJSON values (Ollama) and server-sent event data (OpenAI). They
 * decode UTF-8 across chunk boundaries and never hold more than one unfinished line.
 */

/** Yields each line of a byte stream (without its line ending); a last line without one is yielded too. */
export async function* readLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body) {
    rest += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
    }
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

/** Yields each JSON value of an NDJSON stream (blank lines skipped). Throws SyntaxError on a malformed line. */
export async function* readNdjson(body: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  for await (const line of readLines(body)) {
    if (line.trim()) yield JSON.parse(line);
  }
}

/**
 * Yields the data of each server-sent event (its `data:` lines joined by newlines); comments, `event:`, `id:`
 * and `retry:` fields are ignored.
 */
export async function* readSseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let data: string[] = [];
  for await (const line of readLines(body)) {
    if (line === '') {
      if (data.length > 0) yield data.join('\n');
      data = [];
    } else if (line.startsWith('data:')) {
      data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
  }
  if (data.length > 0) yield data.join('\n');
}
