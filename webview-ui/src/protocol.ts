// Typed messages between the dashboard and its host. In VS Code the host is the extension (postMessage); in the
// browser the same Transport interface is implemented with fetch + SSE. The dashboard never calls the API itself
// inside a webview: every request and stream goes through these messages.

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Messages the dashboard (webview) sends to its host. */
export type WebviewToHost =
  /** The dashboard has loaded and listens for messages. */
  | { type: 'ready' }
  /** One API call; answered by a `response` with the same id. `path` like `/api/v1/jobs?limit=50`. */
  | { type: 'request'; id: number; method: HttpMethod; path: string; body?: unknown }
  /**
   * Opens an SSE stream (`/api/v1/events`, `/api/v1/jobs/:id/logs?follow=1`); frames come back as `event`
   * messages with the same id until `stream-error` or an `unsubscribe`. To resume, the dashboard subscribes again
   * with `lastEventId=N` in the query.
   */
  | { type: 'subscribe'; id: number; path: string }
  | { type: 'unsubscribe'; id: number }
  /** Runs a VS Code command (e.g. `orchion.revealStep` with `[jobId, stepId]`). Ignored in the browser. */
  | { type: 'command'; command: string; args?: unknown[] };

/** Messages the host sends to the dashboard. */
export type HostToWebview =
  /** The answer to a `request`: the HTTP status and the parsed JSON body (an `{error}` body on failures). */
  | { type: 'response'; id: number; status: number; body: unknown }
  /** One SSE frame of the subscription `id`. */
  | { type: 'event'; id: number; event: string; data: string; lastEventId?: string }
  /** The subscription `id` ended: an error, or the server closed it (`message` says which). */
  | { type: 'stream-error'; id: number; message: string }
  /** The host's link to the orchestrator. */
  | { type: 'connection'; state: 'connected' | 'disconnected'; url?: string };

const HOST_TYPES = new Set(['response', 'event', 'stream-error', 'connection']);

/** Narrows an unknown `message` event payload to a host message (anything else is ignored). */
export function isHostMessage(value: unknown): value is HostToWebview {
  return (
    typeof value === 'object' &&
    value !== null &&
    HOST_TYPES.has((value as { type?: unknown }).type as string)
  );
}

const WEBVIEW_TYPES = new Set(['ready', 'request', 'subscribe', 'unsubscribe', 'command']);

/** Narrows a message received by the host to a dashboard message. */
export function isWebviewMessage(value: unknown): value is WebviewToHost {
  return (
    typeof value === 'object' &&
    value !== null &&
    WEBVIEW_TYPES.has((value as { type?: unknown }).type as string)
  );
}
