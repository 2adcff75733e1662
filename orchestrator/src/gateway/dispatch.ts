/**
 * Runs one gateway request on the fleet: takes a slot from the router, calls the node's data plane, and on a
 * node failure tries another node.
 *
 * - Before the first token reached the client (and for every non-streaming request) a failure is simply retried
 *   on another node: the client sees nothing of it.
 * - Mid-stream (tokens already sent), the request is re-submitted to another node as a continuation: a chat with
 *   the text emitted so far as the assistant's answer to continue (`assistantPrefix`, for runtimes that can),
 *   a completion with the prompt + the emitted text. The client's stream continues where it stopped. Requests
 *   with a JSON schema cannot be continued (the grammar would restart): they end with a clean error instead.
 * - Every failure excludes its node for this request; at most `maxAttempts` nodes are tried.
 * - Waiting for a node is bounded: a node that sends no first token (streams) or no answer (non-streaming
 *   requests) within `firstTokenTimeoutMs` — e.g. stuck loading a model on demand — is cut and counts as failed.
 */
import type {
  DataPlaneEmbedResult,
  DataPlaneGenerateRequest,
  DataPlaneMessage,
  DataPlaneOptions,
  DataPlaneResult,
} from '@orchion/proto';
import type { Logger } from 'pino';
import { Cancel } from './cancel';
import { NodeFailure, NodeRefused, type NodeClient, type NodeTarget } from './node-client';
import { RouteRejected, type Lease, type RejectReason, type Router, type RouterNode } from './router';

export interface GenerateCall {
  kind: 'chat' | 'complete';
  model: string;
  messages?: DataPlaneMessage[];
  prompt?: string;
  options: DataPlaneOptions;
  stream: boolean;
}

export interface GenerateOutcome {
  result: DataPlaneResult;
  /** The node that finished the answer. */
  nodeId: string;
  /** Nodes that failed this request before another finished it. */
  failovers: number;
}

/** An error for the client: status, an OpenAI error type and a stable code. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

/** The client went away: nothing more to send. */
export class ClientGone extends Error {}

const REJECT_STATUS: Record<RejectReason, number> = {
  unknown_model: 404,
  no_node: 503,
  queue_full: 429,
  queue_timeout: 503,
};

const REJECT_CODE: Record<RejectReason, string> = {
  unknown_model: 'model_not_found',
  no_node: 'no_node_available',
  queue_full: 'queue_full',
  queue_timeout: 'queue_timeout',
};

export interface DispatcherOptions {
  router: Router;
  client: NodeClient;
  /** The data-plane authorization header of a node. */
  authorization(nodeId: string): string;
  /** Nodes tried per request at most (default 3). */
  maxAttempts?: number;
  /**
   * How long a node may take to send the first token of a stream, or the whole answer of a non-streaming request
   * (model load on demand included), before it is cut and the request tried elsewhere (default 300,000 ms).
   */
  firstTokenTimeoutMs?: number;
  /** Called for every admission refusal and every failover (metrics). */
  onReject?(reason: RejectReason): void;
  onFailover?(nodeId: string, midStream: boolean): void;
  logger: Logger;
}

export class Dispatcher {
  private readonly maxAttempts: number;
  private readonly firstTokenTimeoutMs: number;
  /** Attempts running per node, to cut when the node is lost. */
  private readonly running = new Map<string, Set<Cancel>>();

  constructor(private readonly opts: DispatcherOptions) {
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.firstTokenTimeoutMs = opts.firstTokenTimeoutMs ?? 300_000;
  }

  async generate(
    call: GenerateCall,
    onToken: ((json: string) => void) | undefined,
    cancel: Cancel,
  ): Promise<GenerateOutcome> {
    const exclude = new Set<string>();
    // Streamed chunks as the JSON literals the node sent; decoded only if a continuation needs the text.
    const parts: string[] = [];
    let decoded = '';
    let decodedParts = 0;
    const emittedText = () => {
      for (; decodedParts < parts.length; decodedParts++)
        decoded += JSON.parse(parts[decodedParts]!) as string;
      return decoded;
    };
    let lastError = '';
    let timedOut = 0;
    // Cleared by the attempt's first chunk (streams) or its answer: the node is past loading the model.
    let firstTokenTimer: NodeJS.Timeout | undefined;
    const sink = (json: string) => {
      if (firstTokenTimer) firstTokenTimer = void clearTimeout(firstTokenTimer);
      parts.push(json);
      onToken!(json);
    };
    // Every node tried was cut for taking too long: a timeout for the client, not a failure.
    const allTimedOut = (err: GatewayError) =>
      timedOut > 0 && timedOut === exclude.size
        ? new GatewayError(504, 'upstream_timeout', err.message)
        : err;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const lease = await this.acquire(call.model, exclude, lastError).catch((err: unknown) => {
        throw err instanceof GatewayError ? allTimedOut(err) : err;
      });
      if (cancel.aborted) {
        lease.release();
        throw new ClientGone();
      }
      const before = { emitted: parts.length > 0 ? emittedText() : '', chunks: parts.length };
      const run = this.track(lease.node.id, cancel);
      let cut = false;
      firstTokenTimer = setTimeout(() => {
        cut = true;
        run.cancel.abort();
      }, this.firstTokenTimeoutMs);
      try {
        const request = body(call, before.emitted, before.chunks);
        const result = await this.opts.client.generate(this.target(lease.node), request, {
          onToken: call.stream && onToken ? sink : noop,
          cancel: run.cancel,
        });
        if (before.chunks === 0) return { result, nodeId: lease.node.id, failovers: attempt };
        return {
          result: {
            ...result,
            text: before.emitted + result.text,
            completionTokens: before.chunks + result.completionTokens,
            promptTokens: Math.max(0, result.promptTokens - before.chunks),
          },
          nodeId: lease.node.id,
          failovers: attempt,
        };
      } catch (thrown) {
        if (cancel.aborted) throw new ClientGone();
        exclude.add(lease.node.id);
        if (cut) timedOut++;
        const err = cut
          ? new NodeFailure(
              `no ${call.stream ? 'first token' : 'answer'} within ${this.firstTokenTimeoutMs} ms (a model still loading?)`,
            )
          : thrown;
        if (err instanceof NodeRefused && err.code !== 'continuation-unsupported') {
          throw new GatewayError(err.status >= 500 ? 502 : err.status, codeOf(err.code), err.message);
        }
        const chunks = parts.length;
        const midStream = chunks > 0;
        lastError = `node ${lease.node.id}: ${(err as Error).message}`;
        this.opts.onFailover?.(lease.node.id, midStream);
        this.opts.logger.warn(
          { nodeId: lease.node.id, model: call.model, chunks, err: (err as Error).message },
          midStream
            ? 'gateway: node failed mid-stream; continuing on another node'
            : 'gateway: node failed; retrying',
        );
        if (midStream && call.options.jsonSchema) {
          throw new GatewayError(
            502,
            'failover_impossible',
            `the node serving this request failed after ${chunks} streamed chunks, and a structured (JSON schema) answer cannot be continued on another node: ${lastError}`,
          );
        }
        if (!(err instanceof NodeFailure) && !(err instanceof NodeRefused)) throw err;
      } finally {
        if (firstTokenTimer) firstTokenTimer = void clearTimeout(firstTokenTimer);
        run.done();
        lease.release();
      }
    }
    throw allTimedOut(
      new GatewayError(
        502,
        'upstream_failed',
        `${this.maxAttempts} nodes failed this request for model ${JSON.stringify(call.model)}; last: ${lastError}`,
      ),
    );
  }

  async embed(model: string, input: string[], cancel: Cancel): Promise<DataPlaneEmbedResult> {
    const exclude = new Set<string>();
    let lastError = '';
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const lease = await this.acquire(model, exclude, lastError);
      const run = this.track(lease.node.id, cancel);
      try {
        return await this.opts.client.embed(this.target(lease.node), { model, input }, run.cancel);
      } catch (err) {
        if (cancel.aborted) throw new ClientGone();
        if (err instanceof NodeRefused) {
          throw new GatewayError(err.status >= 500 ? 502 : err.status, codeOf(err.code), err.message);
        }
        exclude.add(lease.node.id);
        lastError = `node ${lease.node.id}: ${(err as Error).message}`;
        this.opts.onFailover?.(lease.node.id, false);
      } finally {
        run.done();
        lease.release();
      }
    }
    throw new GatewayError(502, 'upstream_failed', `every node tried failed: ${lastError}`);
  }

  /**
   * The node stopped being ready (its session ended, or it went stale: no heartbeat): requests running on it are
   * cut, and fail over like any node failure. A frozen node would otherwise hold its streams forever.
   */
  nodeLost(nodeId: string): void {
    const running = this.running.get(nodeId);
    if (!running) return;
    this.running.delete(nodeId);
    for (const cut of running) cut.abort();
  }

  /** One attempt on a node: cut when the client goes away or when the node is lost. */
  private track(nodeId: string, client: Cancel): { cancel: Cancel; done(): void } {
    const cancel = new Cancel();
    client.onAbort(() => cancel.abort());
    let set = this.running.get(nodeId);
    if (!set) this.running.set(nodeId, (set = new Set()));
    set.add(cancel);
    return {
      cancel,
      done: () => {
        client.onAbort(undefined);
        const s = this.running.get(nodeId);
        if (s?.delete(cancel) && s.size === 0) this.running.delete(nodeId);
      },
    };
  }

  private async acquire(model: string, exclude: Set<string>, lastError: string): Promise<Lease> {
    try {
      const l = this.opts.router.acquire(model, exclude.size > 0 ? exclude : undefined);
      return l instanceof Promise ? await l : l;
    } catch (err) {
      if (!(err instanceof RouteRejected)) throw err;
      this.opts.onReject?.(err.reason);
      if (exclude.size > 0 && err.reason === 'no_node') {
        throw new GatewayError(
          502,
          'upstream_failed',
          `no other node can take over this request for model ${JSON.stringify(model)}; ${lastError}`,
        );
      }
      throw new GatewayError(
        REJECT_STATUS[err.reason],
        REJECT_CODE[err.reason],
        err.message,
        err.retryAfterS,
      );
    }
  }

  private target(node: RouterNode): NodeTarget {
    return { url: node.url, authorization: this.opts.authorization(node.id) };
  }
}

const noop = () => undefined;

/** The data-plane request: the call itself, or its continuation after `emitted` (`chunks` streamed chunks). */
export function body(call: GenerateCall, emitted: string, chunks: number): DataPlaneGenerateRequest {
  const req: DataPlaneGenerateRequest = { kind: call.kind, model: call.model, stream: call.stream };
  let options = call.options;
  if (emitted && options.maxTokens !== undefined) {
    options = { ...options, maxTokens: Math.max(1, options.maxTokens - chunks) };
  }
  req.options = options;
  if (call.kind === 'chat') {
    req.messages = call.messages;
    if (emitted) req.assistantPrefix = emitted;
  } else {
    req.prompt = (call.prompt ?? '') + emitted;
  }
  return req;
}

function codeOf(nodeCode: string): string {
  return nodeCode.replace(/-/g, '_');
}
