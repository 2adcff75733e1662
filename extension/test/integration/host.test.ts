// The extension's in-host suites (extension/test/host, bundled to extension/dist/test/host/index.js) inside a
// real code-server 4.100.3 extension host, against a real orchestrator and agent (real inference on the tiny
// model). The suites get the cluster through ORCHION_TEST_URL / ORCHION_TEST_TOKEN and the pipeline files through
// ORCHION_TEST_WORKSPACE (see support/cluster.ts for the files). Skips without code-server unless CI is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../support/cluster';
import { REPO_ROOT, requireCodeServer, startCodeServer, type CodeServer } from '../support/code-server';
import { describeRun, runHostTests, type HostRunResult } from '../support/host-runner';

const EXTENSION = join(REPO_ROOT, 'extension');
const TESTS = join(EXTENSION, 'dist/test/host/index.js');
const ARTIFACTS = join(REPO_ROOT, 'artifacts/ui');
const binary = requireCodeServer();

describe.skipIf(!binary)('extension in-host suites (code-server, real cluster)', () => {
  let cluster: Cluster | undefined;
  let server: CodeServer | undefined;

  beforeAll(async () => {
    // What this test runs must exist: a clear failure, not a skip (npm test builds them first).
    for (const [file, what] of [
      [join(EXTENSION, 'dist/extension.js'), 'the extension bundle'],
      [TESTS, 'the in-host suites (extension/test/host/index.ts)'],
    ]) {
      if (!existsSync(file!)) throw new Error(`${what} is missing: ${file} (run \`node scripts/build.mjs\`)`);
    }
    cluster = await startCluster();
    server = await startCodeServer({
      binary: binary!,
      env: {
        ORCHION_TEST_URL: cluster.url,
        ORCHION_TEST_TOKEN: cluster.token,
        ORCHION_TEST_WORKSPACE: cluster.workspace,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    cluster?.stop();
  });

  it('runs every suite in the real extension host with no failure', async () => {
    let r: HostRunResult;
    try {
      r = await runHostTests({
        server: server!,
        extensionDevelopmentPath: EXTENSION,
        extensionTestsPath: TESTS,
        folder: cluster!.workspace,
        timeoutMs: 300_000,
        screenshot: join(ARTIFACTS, 'host-workbench.png'),
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- cluster\n${cluster!.output()}`);
    }
    // The suites' output is a CI artifact too (beside the screenshots).
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'host-tests.log'), `${r.log}\n`);
    const why = `${describeRun(r, server!)}\n--- cluster\n${cluster!.output()}`;
    expect(r.failed, why).toBe(0);
    expect(r.passed, why).toBeGreaterThan(0);
    expect(r.exitCode, why).toBe(0);
  }, 330_000);
});
