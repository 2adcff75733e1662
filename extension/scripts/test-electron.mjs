// Runs the in-host suites in desktop VS Code with @vscode/test-electron, for developers' machines: it downloads
// VS Code from update.code.visualstudio.com, which the project's CI machines cannot reach (they run the same
// suites in code-server instead: extension/test/integration/host.test.ts). Needs a cluster to test against:
//   ORCHION_TEST_URL=http://127.0.0.1:7700 ORCHION_TEST_TOKEN=$(cat ~/.orchion/admin.token) \
//   ORCHION_TEST_WORKSPACE=/path/with/hello,failing,slow pipelines  node extension/scripts/test-electron.mjs
// (extension/test/support/cluster.ts writes such a workspace: hello.orchion.yaml, failing.orchion.yaml,
// slow.orchion.yaml.) Build first: node scripts/build.mjs.
import { runTests } from '@vscode/test-electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const extensionDevelopmentPath = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = process.env.ORCHION_TEST_WORKSPACE;
if (!process.env.ORCHION_TEST_URL || !process.env.ORCHION_TEST_TOKEN || !workspace) {
  console.error(
    'set ORCHION_TEST_URL, ORCHION_TEST_TOKEN and ORCHION_TEST_WORKSPACE (see the comment at the top)',
  );
  process.exit(2);
}
try {
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath,
    extensionTestsPath: join(extensionDevelopmentPath, 'dist/test/host/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: {
      ORCHION_TEST_URL: process.env.ORCHION_TEST_URL,
      ORCHION_TEST_TOKEN: process.env.ORCHION_TEST_TOKEN,
      ORCHION_TEST_WORKSPACE: workspace,
    },
  });
} catch (err) {
  console.error(`in-host tests failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
