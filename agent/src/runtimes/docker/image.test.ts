/** ensureImage against a stand-in engine: pull errors reported inside a 200 progress stream (Podman) must fail. */
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { ensureImage, type PullProgress } from './image.js';

function fakeEngine(lines: object[], present: { before: boolean; after: boolean }): Docker {
  let pulled = false;
  return {
    // The real modem: its followProgress is what must not let an in-stream error pass.
    modem: new Docker({ socketPath: '/nonexistent' }).modem,
    getImage: () => ({
      inspect: async () => {
        if (pulled ? present.after : present.before) return {};
        throw Object.assign(new Error('no such image'), { statusCode: 404 });
      },
    }),
    pull: async () => {
      pulled = true;
      const stream = new PassThrough();
      setImmediate(() => stream.end(lines.map((l) => JSON.stringify(l)).join('\r\n') + '\r\n'));
      return stream;
    },
  } as unknown as Docker;
}

describe('ensureImage', () => {
  it('uses a local image without pulling', async () => {
    expect(await ensureImage(fakeEngine([], { before: true, after: true }), 'x')).toEqual({ pulled: false });
  });

  it('reports progress per layer', async () => {
    const events: PullProgress[] = [];
    const engine = fakeEngine(
      [
        { status: 'Pulling from x', id: 'latest' },
        { status: 'Downloading', id: 'abc', progressDetail: { current: 5, total: 10 } },
        { status: 'Pull complete', id: 'abc', progressDetail: {} },
        { status: 'Status: Downloaded newer image for x:latest' },
      ],
      { before: false, after: true },
    );
    expect(await ensureImage(engine, 'x', (p) => events.push(p))).toEqual({ pulled: true });
    expect(events).toEqual([
      { status: 'Pulling from x', layer: 'latest' },
      { status: 'Downloading', layer: 'abc', current: 5, total: 10 },
      { status: 'Pull complete', layer: 'abc' },
      { status: 'Status: Downloaded newer image for x:latest' },
    ]);
  });

  it('fails on an error event inside a successful (HTTP 200) stream, as Podman reports pull failures', async () => {
    const engine = fakeEngine(
      [
        { status: 'Trying to pull x...' },
        { error: 'initializing source x: pinging container registry: refused' },
      ],
      { before: false, after: false },
    );
    await expect(ensureImage(engine, 'x')).rejects.toMatchObject({
      code: 'image-unavailable',
      message: 'cannot pull x: initializing source x: pinging container registry: refused',
    });
  });

  it('fails when the engine says it pulled but does not have the image', async () => {
    const engine = fakeEngine([{ status: 'done' }], { before: false, after: false });
    await expect(ensureImage(engine, 'x')).rejects.toMatchObject({
      message: 'pulled x but the engine does not list it',
    });
  });
});
