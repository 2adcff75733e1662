// The event source of the shared stream: `/api/v1/events` read with fetch and the SSE parser of @orchion/api,
// like OrchionClient.streamEvents, but it also says when the server has answered (so the extension knows the
// stream is up again after an outage, before any event arrives).
import { ApiClientError, SseParser, type OrchionEvent } from '@orchion/api';
import type { EventSource } from './event-stream';

export function sseEventSource(url: string, token: string): EventSource {
  return {
    async streamEvents(onEvent, { lastEventId, signal, onOpen }) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: 'text/event-stream',
      };
      if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
      let res: Response;
      try {
        res = await fetch(`${url}/api/v1/events`, { headers, signal });
      } catch (err) {
        if (signal?.aborted) return lastEventId;
        const cause = (err as { cause?: { code?: string } }).cause;
        throw new ApiClientError(
          'unreachable',
          `cannot reach the orchestrator at ${url} (${cause?.code ?? (err as Error).message})`,
        );
      }
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => undefined)) as
          { error?: { code?: string; message?: string } } | undefined;
        throw new ApiClientError(
          body?.error?.code ?? `http-${res.status}`,
          body?.error?.message ?? `HTTP ${res.status}`,
          res.status,
        );
      }
      onOpen?.();
      let last = lastEventId;
      const parser = new SseParser((frame) => {
        if (!frame.data) return;
        const event = {
          id: Number(frame.id),
          type: frame.event as OrchionEvent['type'],
          ...(JSON.parse(frame.data) as { time: string; data: unknown }),
        } as OrchionEvent;
        if (Number.isFinite(event.id)) last = event.id;
        onEvent(event);
      });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          parser.push(decoder.decode(chunk, { stream: true }));
        }
      } catch (err) {
        if (!signal?.aborted) throw err;
      }
      return last;
    },
  };
}
