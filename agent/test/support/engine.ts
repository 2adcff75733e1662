/**
 * The Docker Engine the container tests run against: DOCKER_HOST, as `scripts/docker-engine.sh` sets it up.
 * Locally (as root):
 *
 *   eval "$(scripts/docker-engine.sh start /tmp/orchion-docker)"   # dockerd + a loopback registry; prints env
 *   npx vitest run --project integration agent/test/integration/docker-
 *   scripts/docker-engine.sh stop /tmp/orchion-docker
 *
 * In CI, .ci/run starts both and exports DOCKER_HOST and ORCHION_TEST_REGISTRY. Without an engine the tests are
 * skipped with the reason printed, except when CI is set: then they fail, so CI never passes by skipping them.
 */
import type Docker from 'dockerode';
import { connectDocker } from '../../src/runtimes/docker/connect';
import { engineInfo, type EngineInfo } from '../../src/runtimes/docker/engine-info';

export interface TestEngine {
  docker: Docker;
  info: EngineInfo;
  /** 127.0.0.1:PORT of the loopback registry, when one runs. */
  registry: string | undefined;
}

export async function testEngine(): Promise<TestEngine> {
  const { docker, endpoint } = connectDocker();
  const info = await engineInfo(docker, endpoint);
  if (!info.available) {
    const why = `no Docker Engine for the container tests: ${info.reason}. Start one with scripts/docker-engine.sh (see agent/test/support/engine.ts).`;
    if (process.env.CI) throw new Error(`CI is set and ${why}`);
    console.warn(`SKIPPING: ${why}`);
  }
  return { docker, info, registry: process.env.ORCHION_TEST_REGISTRY || undefined };
}

/** Removes containers of test node ids (labels), whatever state they are in. */
export async function removeNodeContainers(docker: Docker, nodeId: string): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`orchion.node=${nodeId}`] } });
  await Promise.all(
    list.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

export const uniqueNodeId = (prefix: string): string => `${prefix}-${process.pid}-${Date.now().toString(36)}`;
