import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { managedContainers } from './containers';
import type { ManagedRuntimeSpec } from './managed';

const spec = (name: string): ManagedRuntimeSpec => ({
  name,
  type: 'ollama',
  container: { kind: 'ollama', name, image: 'orchion-test/none:1', gpus: 0 },
  missingEnv: [],
});

function capture() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) },
  );
  return { lines, logger };
}

describe('managedContainers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orchion-containers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('without managed specs: no runtimes, no engine check', async () => {
    const { lines, logger } = capture();
    const c = managedContainers({ nodeId: 'n', specs: [], docker: { keepContainersOnExit: false }, logger });
    expect(c.runtimes).toEqual([]);
    expect(await c.probe()).toBeUndefined();
    await c.start();
    await c.close();
    expect(lines).toEqual([]);
  });

  it('without an engine: one line says why, the runtimes list no models and refuse requests', async () => {
    const { lines, logger } = capture();
    const socket = join(dir, 'missing.sock');
    const c = managedContainers({
      nodeId: 'n',
      specs: [spec('box'), spec('box-2')],
      docker: { host: `unix://${socket}`, keepContainersOnExit: false },
      logger,
      engineRetryMs: { initial: 10, max: 20 },
    });
    expect(c.runtimes.map((r) => r.name)).toEqual(['box', 'box-2']);
    const info = await c.probe();
    expect(info).toMatchObject({ available: false, endpoint: socket });
    await c.start();
    expect(await c.runtimes[0]!.listModels()).toEqual([]);
    await expect(c.runtimes[0]!.complete({ model: 'm', prompt: 'hi' })).rejects.toMatchObject({
      code: 'runtime-unavailable',
    });
    // It keeps checking with backoff (and at each capability refresh), quietly: still one line.
    await new Promise((r) => setTimeout(r, 150));
    expect(await c.engine()).toMatchObject({ available: false });
    await c.close();
    const warnings = lines.filter((l) => l.level >= 40);
    expect(warnings.map((l) => l.msg)).toEqual([
      `Docker is unavailable: no Docker Engine socket at ${socket} (set DOCKER_HOST or start the engine); ` +
        'managed runtimes box, box-2 start when it answers; the agent runs with its other runtimes meanwhile',
    ]);
  });
});
