// The host runner's own self-test: a minimal extension and tests module (extension/test/support/fixtures/) run
// inside a real code-server's extension host through the workbench URL payload, in real Chromium. Proves that the
// folder, the environment and the extension under development reach the host, that passes and failures come
// back with the suite's summary, and that a failing suite gives a non-zero exit code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireCodeServer, startCodeServer, type CodeServer } from '../support/code-server';
import { describeRun, runHostTests } from '../support/host-runner';

const FIXTURE = fileURLToPath(new URL('../support/fixtures/host-selftest/', import.meta.url));
const binary = requireCodeServer();

describe.skipIf(!binary)('code-server host runner (self-test)', () => {
  let server: CodeServer;
  const dirs: string[] = [];
  const envValue = `passed-through-${process.pid}`;

  const workspace = (o: { fail?: boolean; crash?: boolean } = {}): string => {
    const dir = mkdtempSync(join(tmpdir(), 'orchion-selftest-ws-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'expected.json'), JSON.stringify({ folderPath: dir, envValue, ...o }));
    return dir;
  };

  beforeAll(async () => {
    server = await startCodeServer({ binary: binary!, env: { ORCHION_SELFTEST_VALUE: envValue } });
  });

  afterAll(async () => {
    await server?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const run = (folder: string, timeoutMs = 90_000) =>
    runHostTests({
      server,
      extensionDevelopmentPath: FIXTURE,
      extensionTestsPath: join(FIXTURE, 'test/index.js'),
      folder,
      timeoutMs,
    });

  it('runs the tests module in the real extension host and reports its passes', async () => {
    const r = await run(workspace());
    expect(r.exitCode, describeRun(r, server)).toBe(0);
    expect(r.failed, describeRun(r, server)).toBe(0);
    expect(r.passed).toBe(6);
    expect(r.log).toContain('ok - passes code-server environment to the extension host');
  });

  it('reports a failing test with a non-zero exit code', async () => {
    const r = await run(workspace({ fail: true }));
    expect(r.exitCode, describeRun(r, server)).not.toBe(0);
    expect(r.passed).toBe(5);
    expect(r.failed).toBe(1);
    expect(r.log).toContain(
      'not ok - deliberate failure (only when expected.json says fail): deliberate failure',
    );
  });

  it('fails early with the host log when the extension host dies without reporting', async () => {
    // The crash's own error, not the timeout's: the runner noticed the host die.
    await expect(run(workspace({ crash: true }), 120_000)).rejects.toThrow(
      /the extension host exited \(code \w+, signal SIGKILL\) before the tests reported[\s\S]*--- code-server/,
    );
  });
});
