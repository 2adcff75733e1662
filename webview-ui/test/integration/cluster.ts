// A real orchestrator (serving the built dashboard) and a real agent for the dashboard's browser tests: embedded
// llama.cpp with the generated tiny model, and the echo runtime with a per-token delay so a step streams for a
// few seconds. Plus headless Debian Chromium through playwright-core.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeTinyModel } from '../../../agent/src/models/tiny-model';
import {
  cleanup,
  freePort,
  startAgentProc,
  startOrchestratorProc,
  tempDir,
  waitFor,
  type OrchestratorProc,
  type Proc,
} from '../../../orchestrator/test/integration/harness';

export const CHROMIUM = '/usr/bin/chromium';
/** Without Chromium the browser tests skip locally; in CI (CI set) its absence is an error. */
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) {
  throw new Error(`${CHROMIUM} is missing and CI is set: install the chromium apt package`);
}

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SHOTS = join(ROOT, 'artifacts/ui');

export const words = (n: number, from = 0): string =>
  Array.from({ length: n }, (_, i) => `w${from + i}`).join(' ');

/** A real inference step, then an echo step that streams ~150 tokens at 40 ms each (about 6 s). */
export const PIPELINE = `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: dashboard-e2e }
steps:
  - id: draft
    model: orchion-tiny
    prompt: "Write about fleets"
    options: { max_tokens: 24, temperature: 0 }
    retries: 2
  - id: stream
    needs: [draft]
    model: echo
    runtime: echo
    prompt: "${words(80)} needle ${words(70, 80)}"
    options: { max_tokens: 100000 }
    retries: 2
`;

export interface Cluster {
  orch: OrchestratorProc;
  /** Stops the orchestrator (SIGTERM) and starts it again on the same data dir and ports; updates `orch`. */
  restartOrchestrator(): Promise<OrchestratorProc>;
  hostname: string;
  browser: Browser;
  /** Errors and CSP reports the page logged. */
  problems: string[];
  newPage(): Promise<Page>;
  stop(): Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const dirs: string[] = [];
  const procs: Proc[] = [];
  const problems: string[] = [];
  let browser: Browser | undefined;
  try {
    mkdirSync(SHOTS, { recursive: true });
    const dataDir = tempDir();
    dirs.push(dataDir);
    const ports = { httpPort: await freePort(), grpcPort: await freePort() };
    const orch = await startOrchestratorProc({ dataDir, ...ports });
    procs.push(orch);
    const agentDir = tempDir('orchion-agent-');
    dirs.push(agentDir);
    mkdirSync(join(agentDir, 'models'), { recursive: true });
    await writeTinyModel(join(agentDir, 'models', 'orchion-tiny.gguf'));
    procs.push(
      startAgentProc({
        orchestrator: orch.grpcAddress,
        joinToken: orch.joinToken,
        dataDir: agentDir,
        labels: { zone: 'lab' },
        // Stale after 3 missed heartbeats: 3 s leaves room for a busy shared machine.
        heartbeat: '1s',
        extra: ['--runtime', 'embedded', '--runtime', 'echo', '--slots', '2', '--echo-token-delay', '40ms'],
      }),
    );
    const node = await waitFor(
      'the agent ready with its model',
      async () => {
        const { nodes } = await orch.client.listNodes({ state: 'ready' });
        return nodes.find((n) => n.models.some((m) => m.name === 'orchion-tiny'));
      },
      30_000,
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-dev-shm-usage',
      ],
    });
    const b = browser;
    const cluster: Cluster = {
      orch,
      async restartOrchestrator() {
        cluster.orch.kill('SIGTERM');
        await cluster.orch.exited;
        cluster.orch = await startOrchestratorProc({ dataDir, ...ports });
        procs.push(cluster.orch);
        return cluster.orch;
      },
      hostname: node.hostname,
      browser: b,
      problems,
      async newPage() {
        const context = await b.newContext({ viewport: { width: 1360, height: 860 }, colorScheme: 'light' });
        const page = await context.newPage();
        page.on('console', (m) => {
          if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text()))
            problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        return page;
      },
      async stop() {
        await b.close();
        cleanup(procs, dirs);
      },
    };
    return cluster;
  } catch (err) {
    await browser?.close();
    cleanup(procs, dirs);
    throw err;
  }
}
