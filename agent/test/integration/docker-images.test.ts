/**
 * Images on a real Docker Engine and the loopback registry of scripts/docker-engine.sh (ORCHION_TEST_REGISTRY;
 * see agent/test/support/engine.ts): a local image is used without pulling; an image pushed to the registry and
 * removed locally is pulled back with progress events; missing images and unreachable registries fail with the
 * engine's reason. No traffic leaves loopback.
 */
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImage, type PullProgress } from '../../src/runtimes/docker/index';
import { testEngine } from '../support/engine';
import { tinyImage } from '../support/images';

const engine = await testEngine();
if (engine.info.available && !engine.registry && process.env.CI) {
  throw new Error('CI is set and ORCHION_TEST_REGISTRY is not: .ci/run starts the loopback registry');
}

describe.skipIf(!engine.info.available)('Docker images', () => {
  const { docker, registry } = engine;
  const remote = registry ? `${registry}/orchion-test/pull-${process.pid}:v1` : '';

  afterAll(async () => {
    if (remote)
      await docker
        .getImage(remote)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('uses a local image without pulling', async () => {
    const { tag } = await tinyImage(docker);
    const events: PullProgress[] = [];
    expect(await ensureImage(docker, tag, (p) => events.push(p))).toEqual({ pulled: false });
    expect(events).toEqual([]);
  });

  describe.skipIf(!registry)('from the loopback registry', () => {
    beforeAll(async () => {
      const { tag } = await tinyImage(docker);
      const [repo, version] = remote.split(/:(?=[^:/]+$)/) as [string, string];
      await docker.getImage(tag).tag({ repo, tag: version });
      // The engine wants an X-Registry-Auth header even for a registry without auth.
      await follow(docker, await docker.getImage(remote).push({}, undefined, { serveraddress: registry! }));
      // Gone locally (both tags), so the pull below downloads the layer again.
      await docker.getImage(remote).remove({ force: true });
      await docker.getImage(tag).remove({ force: true });
    });

    it('pulls a missing image with progress', async () => {
      const events: PullProgress[] = [];
      const started = Date.now();
      expect(await ensureImage(docker, remote, (p) => events.push(p))).toEqual({ pulled: true });
      console.log(`pulled ${remote} in ${Date.now() - started} ms with ${events.length} progress events`);
      const statuses = events.map((e) => e.status);
      expect(statuses).toContain('Pull complete');
      expect(statuses.at(-1)).toMatch(/Downloaded newer image/);
      expect(events.some((e) => e.layer && e.total && e.total > 0)).toBe(true);
      expect((await docker.getImage(remote).inspect()).RepoTags).toContain(remote);
      // Present now: no second pull.
      expect(await ensureImage(docker, remote)).toEqual({ pulled: false });
    });

    it('fails clearly for an image the registry does not have', async () => {
      await expect(
        ensureImage(docker, `${registry}/orchion-test/none-${process.pid}:v1`),
      ).rejects.toMatchObject({
        code: 'image-unavailable',
        message: expect.stringMatching(/cannot pull .*none-.*: .*(manifest unknown|not found)/),
      });
    });
  });

  it('fails at once for a registry that does not answer', async () => {
    const started = Date.now();
    await expect(ensureImage(docker, '127.0.0.1:1/orchion-test/nothing:v1')).rejects.toMatchObject({
      code: 'image-unavailable',
      message: expect.stringContaining('connection refused'),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: unknown) => (err || failure ? reject(new Error(failure ?? String(err))) : resolve()),
      (e: { error?: string }) => (failure ??= e.error),
    );
  });
}
