// The multiplexed data plane end to end: the gateway's NodeClient against the agent's real DataPlaneServer on
// loopback (echo runtime): many requests over one connection, abort of one stream, the connection lost
// mid-stream (through a real TCP relay that the test cuts) and opened again, a wrong token, and the fallback to
// HTTP requests for a data plane without the upgrade.
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { DataPlaneServer, EchoRuntime } from '@orchion/agent';
import { dataPlaneToken } from '@orchion/proto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Cancel } from '../../src/gateway/cancel';
import { NodeClient, NodeFailure, type NodeTarget } from '../../src/gateway/node-client';

const JOIN = 'join-secret';
const logger = pino({ enabled: false });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startNode(tokenDelayMs = 0): Promise<{ server: DataPlaneServer; target: NodeTarget }> {
  const server = new DataPlaneServer({
    address: '127.0.0.1:0',
    nodeId: 'n1',
    token: dataPlaneToken(JOIN, 'n1'),
    runtimes: [new EchoRuntime({ models: ['echo'], tokenDelayMs })],
    logger,
  });
  const url = await server.listen();
  cleanups.push(() => server.close());
  return { server, target: { url, authorization: `Bearer ${dataPlaneToken(JOIN, 'n1')}` } };
}

function client(): NodeClient {
  const c = new NodeClient();
  cleanups.push(() => c.close());
  return c;
}

/** A TCP relay in front of a data plane, whose connections the test can cut. */
async function relay(to: string): Promise<{ url: string; cut(): void }> {
  const { hostname, port } = new URL(to);
  const sockets = new Set<Socket>();
  const srv: Server = createServer((a) => {
    const b = connect(Number(port), hostname);
    for (const s of [a, b]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    a.pipe(b).pipe(a);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => srv.close(() => r())));
  return {
    url: `http://127.0.0.1:${(srv.address() as { port: number }).port}`,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');

describe('multiplexed data plane', () => {
  it('carries many concurrent requests, streamed and not, over one connection', async () => {
    const { server, target } = await startNode();
    const c = client();
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const chunks: string[] = [];
        const r = await c.generate(
          target,
          { kind: 'complete', model: 'echo', prompt: `req ${i} a b`, stream: i % 2 === 0 },
          { onToken: (json) => chunks.push(json) },
        );
        return { i, text: r.text, streamed: chunks.map((j) => JSON.parse(j) as string).join('') };
      }),
    );
    for (const { i, text, streamed } of results) {
      expect(text).toBe(`req ${i} a b`);
      expect(streamed).toBe(i % 2 === 0 ? text : '');
    }
    const emb = await c.embed(target, { model: 'echo', input: ['x', 'y z'] });
    expect(emb.embeddings).toHaveLength(2);
    expect(server.muxConnections).toBe(1);
    expect(server.status()).toMatchObject({ completed: 51, failed: 0, active: 0 });
  });

  it('a refused request is a NodeRefused with the status and code of the HTTP route', async () => {
    const { target } = await startNode();
    const err = await client()
      .generate(
        target,
        { kind: 'complete', model: 'echo', prompt: 'x', options: { temperature: 99 } },
        { onToken: () => undefined },
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NodeRefused', status: 400, code: 'bad-request' });
    const missing = await client()
      .generate(target, { kind: 'complete', model: 'nope', prompt: 'x' }, { onToken: () => undefined })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NodeFailure); // another node may have the model
  });

  it('aborting one stream stops its generation on the node, the others go on', async () => {
    const { server, target } = await startNode(5);
    const c = client();
    const cancel = new Cancel();
    let seen = 0;
    const cut = c
      .generate(
        target,
        { kind: 'complete', model: 'echo', prompt: words, stream: true },
        {
          onToken: () => {
            if (++seen === 3) cancel.abort();
          },
          cancel,
        },
      )
      .catch((e: unknown) => e);
    const other = c.generate(
      target,
      { kind: 'complete', model: 'echo', prompt: 'a b c d e f', stream: true },
      { onToken: () => undefined },
    );
    expect(await cut).toBeInstanceOf(NodeFailure);
    expect((await other).text).toBe('a b c d e f');
    await expect.poll(() => server.status().aborted, { timeout: 2_000 }).toBe(1);
    expect(server.status().active).toBe(0);
    expect(server.status().chunks).toBeLessThan(30 + 6);
    expect(server.muxConnections).toBe(1);
  });

  it('the connection lost mid-stream fails its streams (NodeFailure) and the next request reconnects', async () => {
    const { server, target } = await startNode(5);
    const r = await relay(target.url);
    const via = { ...target, url: r.url };
    const c = client();
    let seen = 0;
    const streams = [0, 1, 2].map(() =>
      c
        .generate(
          via,
          { kind: 'complete', model: 'echo', prompt: words, stream: true },
          {
            onToken: () => {
              if (++seen === 5) r.cut();
            },
          },
        )
        .catch((e: unknown) => e),
    );
    for (const e of await Promise.all(streams)) {
      expect(e).toBeInstanceOf(NodeFailure);
      expect((e as Error).message).toMatch(/closed the data-plane connection|connection failed/);
    }
    // The node saw its side of the connection close: the three generations were aborted there.
    await expect.poll(() => server.status().aborted, { timeout: 2_000 }).toBe(3);
    const again = await c.generate(
      via,
      { kind: 'complete', model: 'echo', prompt: 'back again' },
      {
        onToken: () => undefined,
      },
    );
    expect(again.text).toBe('back again');
  });

  it('a wrong token fails the request as a node failure; an unreachable node too', async () => {
    const { target } = await startNode();
    const bad = await client()
      .generate(
        { ...target, authorization: 'Bearer nope' },
        { kind: 'complete', model: 'echo', prompt: 'x' },
        {
          onToken: () => undefined,
        },
      )
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(NodeFailure);
    expect((bad as Error).message).toContain('401');
    const gone = await client()
      .generate(
        { ...target, url: 'http://127.0.0.1:1' },
        { kind: 'complete', model: 'echo', prompt: 'x' },
        {
          onToken: () => undefined,
        },
      )
      .catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(NodeFailure);
  });

  it('uses HTTP requests for a data plane without the upgrade, and the http transport on request', async () => {
    // A data plane of an older agent (a plain HTTP server written for this test): no upgrade, 404 for /v1/mux.
    const paths: string[] = [];
    const old = createHttpServer((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      req.resume();
      if (req.url !== '/v1/generate') {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end('{"error":{"code":"not_found","message":"no route"}}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        '{"text":"old","stopReason":"eogToken","promptTokens":1,"completionTokens":1,"durationMs":0,"runtime":"x"}',
      );
    });
    await new Promise<void>((r) => old.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => old.close(() => r())));
    const target = {
      url: `http://127.0.0.1:${(old.address() as { port: number }).port}`,
      authorization: 'Bearer x',
    };
    const c = client();
    for (let i = 0; i < 2; i++) {
      const r = await c.generate(
        target,
        { kind: 'complete', model: 'm', prompt: 'p' },
        { onToken: () => undefined },
      );
      expect(r.text).toBe('old');
    }
    // One upgrade attempt, then HTTP requests only.
    expect(paths).toEqual(['GET /v1/mux', 'POST /v1/generate', 'POST /v1/generate']);

    const { server, target: real } = await startNode();
    const http = new NodeClient('http');
    cleanups.push(() => http.close());
    const r = await http.generate(
      real,
      { kind: 'complete', model: 'echo', prompt: 'via http' },
      {
        onToken: () => undefined,
      },
    );
    expect(r.text).toBe('via http');
    expect(server.muxConnections).toBe(0);
  });

  it('the node refuses a wrong upgrade and closes a connection that sends a malformed frame', async () => {
    const { server, target } = await startNode();
    const { port } = new URL(target.url);
    /** A raw connection: sends the handshake and `after` bytes; resolves with all it read once it closes. */
    const raw = (head: string, after?: Buffer) =>
      new Promise<string>((resolve) => {
        const s = connect(Number(port), '127.0.0.1');
        let got = '';
        s.on('data', (d: Buffer) => {
          got += d.toString('latin1');
          if (after && got.includes('\r\n\r\n')) s.write(after);
        });
        s.on('error', () => undefined);
        s.on('close', () => resolve(got));
        s.write(head);
      });
    const auth = `authorization: ${target.authorization}\r\n`;
    const wrongProto = await raw(
      `GET /v1/mux HTTP/1.1\r\nhost: x\r\n${auth}connection: Upgrade\r\nupgrade: websocket\r\n\r\n`,
    );
    expect(wrongProto).toMatch(/^HTTP\/1.1 404/);
    const noToken = await raw(
      'GET /v1/mux HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: orchion-mux/1\r\n\r\n',
    );
    expect(noToken).toMatch(/^HTTP\/1.1 401/);
    // A frame with a length under the header's: the node answers nothing and closes the connection.
    const garbage = Buffer.from([0, 0, 0, 1, 9, 9, 9, 9, 9]);
    const closed = await raw(
      `GET /v1/mux HTTP/1.1\r\nhost: x\r\n${auth}connection: Upgrade\r\nupgrade: orchion-mux/1\r\n\r\n`,
      garbage,
    );
    expect(closed).toMatch(/^HTTP\/1.1 101/);
    expect(closed.split('\r\n\r\n')[1]).toBe('');
    await expect.poll(() => server.muxConnections).toBe(0);
    // The node serves on.
    const ok = await client().generate(
      target,
      { kind: 'complete', model: 'echo', prompt: 'still here' },
      {
        onToken: () => undefined,
      },
    );
    expect(ok.text).toBe('still here');
  });
});
