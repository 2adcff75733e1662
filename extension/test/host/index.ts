// The in-host test entry (VS Code's extensionTestsPath contract): runs every suite with mocha inside the real
// extension host and prints a final `N passed, N failed` line. Bundled to extension/dist/test/host/index.js.
import { format } from 'node:util';
import Mocha from 'mocha';
import { registerActivationSuite } from './activation.suite';
import { registerConnectionSuite } from './connection.suite';
import { registerDashboardSuite } from './dashboard.suite';
import { registerEventsSuite, registerVisibilitySuite } from './events.suite';
import { registerJobsSuite } from './jobs.suite';
import { registerLanguageServerSuite } from './language-server.suite';
import { registerLocalClusterSuite } from './local-cluster.suite';
import { registerManifestSuite } from './manifest.suite';
import { registerNodesSuite } from './nodes.suite';
import { registerTimeoutsSuite } from './timeouts.suite';

export async function run(): Promise<void> {
  // The host forwards console output unformatted: give the reporter formatted lines.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(format(...args));
  const mocha = new Mocha({ ui: 'tdd', timeout: 90_000, color: false, reporter: 'spec' });
  // Defines suite/test/… on the global object, then the suites register themselves (in this order).
  mocha.suite.emit('pre-require', globalThis, 'orchion-host-suites', mocha);
  registerActivationSuite();
  registerManifestSuite();
  registerConnectionSuite();
  registerNodesSuite();
  registerJobsSuite();
  registerEventsSuite();
  registerVisibilitySuite();
  registerDashboardSuite();
  registerLanguageServerSuite();
  registerTimeoutsSuite();
  registerLocalClusterSuite();
  let passed = 0;
  let failed = 0;
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => passed++);
    runner.on('fail', () => failed++);
  });
  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} in-host test(s) failed`);
}
