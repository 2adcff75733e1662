// The dispatcher over real data planes (the agent's DataPlaneServer on loopback, echo runtime with a per-token
// delay; both transports): retry before the first byte, mid-stream continuation on another node, structured answers that cannot be
// continued, bad requests that are not retried, and the continuation request itself.
import { DataPlaneServer, EchoRuntime } from '@orchion/agent';
import { dataPlaneToken } from '@orchion/proto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Cancel } from '../../src/gateway/cancel';
import { body, Dispatcher, GatewayError, type GenerateCall } from '../../src/gateway/dispatch';
import { NodeClient, type DataPlaneTransport } from '../../src/gateway/node-client';
import { Router } from '../../src/gateway/router';

const JOIN = 'join-secret';
const logger = pino({ enabled: false });

interface Node {
  id: string;
  server: DataPlaneServer;
  url: string;
}

const servers: DataPlaneServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close().catch(() => undefined)));
});

async function startNode(id: string, tokenDelayMs = 0): Promise<Node> {
  const server = new DataPlaneServer({
    address: '127.0.0.1:0',
    nodeId: id,
    token: dataPlaneToken(JOIN, id),
    runtimes: [new EchoRuntime({ models: ['echo'], tokenDelayMs })],
    logger,
  });
  servers.push(server);
  return { id, server, url: await server.listen() };
}

function fleet(
  nodes: { id: string; url: string }[],
  transport: DataPlaneTransport,
  firstTokenTimeoutMs?: number,
) {
  const router = new Router();
  for (const n of nodes) {
    router.upsert({
      id: n.id,
      url: n.url,
      concurrency: 4,
      ready: true,
      models: [{ name: 'echo', loaded: true }],
    });
  }
  const failovers: boolean[] = [];
  const dispatcher = new Dispatcher({
    router,
    client: new NodeClient(transport),
    authorization: (id) => `Bearer ${dataPlaneToken(JOIN, id)}`,
    onFailover: (_id, midStream) => failovers.push(midStream),
    firstTokenTimeoutMs,
    logger,
  });
  return { router, dispatcher, failovers };
}

const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');

// Both transports to the node: the multiplexed connection (default) and HTTP requests.
describe.each(['mux', 'http'] as const)('Dispatcher (%s data plane)', (transport) => {
  it('continues a stream on another node when the serving one dies mid-answer (chat)', async () => {
    const a = await startNode('a', 5);
    const b = await startNode('b', 5);
    const { dispatcher, failovers, router } = fleet([a, b], transport);
    const call: GenerateCall = {
      kind: 'chat',
      model: 'echo',
      messages: [{ role: 'user', content: words }],
      options: {},
      stream: true,
    };
    let text = '';
    let first: string | undefined;
    const out = await dispatcher.generate(
      call,
      (json) => {
        text += JSON.parse(json) as string;
        if (text.split(' ').length === 10 && !first) {
          first = [...router.list()].find((n) => n.inFlight > 0)!.id;
          void (first === 'a' ? a : b).server.close();
        }
      },
      new Cancel(),
    );
    expect(first).toBeDefined();
    expect(out.nodeId).not.toBe(first);
    expect(out.failovers).toBe(1);
    expect(failovers).toEqual([true]);
    // The client saw the whole answer once: no gap, no repetition at the seam.
    expect(text).toBe(words);
    expect(out.result.text).toBe(words);
    expect(out.result.completionTokens).toBe(40);
    expect([...router.list()].every((n) => n.inFlight === 0)).toBe(true);
  });

  it('retries on another node before the first byte (node unreachable), invisibly', async () => {
    const b = await startNode('b');
    const { dispatcher, failovers } = fleet([{ id: 'dead', url: 'http://127.0.0.1:1' }, b], transport);
    for (let i = 0; i < 4; i++) {
      const out = await dispatcher.generate(
        { kind: 'complete', model: 'echo', prompt: 'one two three', options: {}, stream: false },
        undefined,
        new Cancel(),
      );
      expect(out.result.text).toBe('one two three');
      expect(out.nodeId).toBe('b');
    }
    expect(failovers.every((m) => m === false)).toBe(true);
  });

  it('cuts a node that sends no first token in time (e.g. loading a model) and moves on; 504 when none answers', async () => {
    const slow = await startNode('slow', 3_000);
    const fast = await startNode('fast');
    const { dispatcher, failovers } = fleet([slow, fast], transport, 300);
    const call: GenerateCall = {
      kind: 'complete',
      model: 'echo',
      prompt: 'a b c',
      options: {},
      stream: true,
    };
    for (let i = 0; i < 3; i++) {
      let text = '';
      const out = await dispatcher.generate(
        call,
        (json) => (text += JSON.parse(json) as string),
        new Cancel(),
      );
      expect(out.nodeId).toBe('fast');
      expect(text).toBe('a b c');
    }
    expect(failovers.length).toBeGreaterThan(0); // the rotation sent at least one call to the slow node first
    await expect.poll(() => slow.server.status().aborted).toBeGreaterThan(0); // the node was told to stop

    const alone = fleet([slow], transport, 300).dispatcher;
    const err = await alone.generate(call, () => undefined, new Cancel()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(504);
    expect((err as GatewayError).code).toBe('upstream_timeout');
    expect((err as GatewayError).message).toMatch(/no first token within 300 ms/);
  });

  it('a structured (JSON schema) stream that loses its node ends with a clean error', async () => {
    const a = await startNode('a', 5);
    const b = await startNode('b', 5);
    const { dispatcher } = fleet([a, b], transport);
    let seen = 0;
    const err = await dispatcher
      .generate(
        {
          kind: 'complete',
          model: 'echo',
          prompt: '{"a": "x y z w v u t s r q p o n"}',
          options: { jsonSchema: { type: 'object' } },
          stream: true,
        },
        () => {
          if (++seen === 3) for (const n of [a, b]) void n.server.close();
        },
        new Cancel(),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('failover_impossible');
    expect((err as GatewayError).message).toContain('cannot be continued');
  });

  it('a bad request is refused by the node and not retried elsewhere', async () => {
    const a = await startNode('a');
    const b = await startNode('b');
    const { dispatcher, failovers } = fleet([a, b], transport);
    const err = await dispatcher
      .generate(
        { kind: 'complete', model: 'echo', prompt: 'x', options: { temperature: 99 }, stream: false },
        undefined,
        new Cancel(),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'bad_request' });
    expect(failovers).toEqual([]);
    expect(a.server.status().failed + b.server.status().failed).toBe(1);
  });

  it('the node refuses a wrong data-plane token', async () => {
    const a = await startNode('a');
    const res = await fetch(`${a.url}/v1/status`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    const ok = await fetch(`${a.url}/v1/status`, {
      headers: { authorization: `Bearer ${dataPlaneToken(JOIN, 'a')}` },
    });
    expect(((await ok.json()) as { nodeId: string }).nodeId).toBe('a');
  });

  it('passes token literals through unparsed, and never splices a malformed one into the client stream', async () => {
    // A misbehaving node (a plain HTTP server written for this test): one good line, then an injection attempt.
    const { createServer } = await import('node:http');
    const srv = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"t":"ok \\"quoted\\""}\n');
      res.end('{"t":"x"},"evil":1}\n');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    const seen: string[] = [];
    const err = await new NodeClient()
      .generate(
        { url, authorization: 'Bearer x' },
        { kind: 'complete', model: 'm', prompt: 'p', stream: true },
        { onToken: (json) => seen.push(json) },
      )
      .catch((e: unknown) => e);
    srv.close();
    expect(seen).toEqual(['"ok \\"quoted\\""']);
    expect(JSON.parse(seen[0]!)).toBe('ok "quoted"');
    expect((err as Error).message).toBe('the node sent a malformed stream line');
  });

  it('builds continuation requests: assistant prefix for chats, prompt + text for completions', () => {
    const chat: GenerateCall = {
      kind: 'chat',
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      options: { maxTokens: 100 },
      stream: true,
    };
    expect(body(chat, '', 0)).toEqual({ ...chat, options: { maxTokens: 100 }, stream: true, kind: 'chat' });
    expect(body(chat, 'Hello wor', 3)).toMatchObject({
      assistantPrefix: 'Hello wor',
      options: { maxTokens: 97 },
    });
    const completion: GenerateCall = {
      kind: 'complete',
      model: 'm',
      prompt: 'Once',
      options: {},
      stream: true,
    };
    expect(body(completion, ' upon', 1)).toMatchObject({ prompt: 'Once upon', options: {} });
  });
});
