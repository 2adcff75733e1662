// UI end to end: the packaged VSIX installed into a real code-server 4.100.3, driven in Debian's Chromium
// (playwright-core) like a user, against a real orchestrator and agent (real inference on the tiny model). Opens
// the Orchion view, connects from the palette, sees the node, right-clicks a pipeline in the Explorer → Submit
// Pipeline (accepting the input's default), sees the job and its step succeed in the Jobs view and its tokens in
// the Output panel. Screenshots go to artifacts/ui/vscode-*.png. Skips without code-server unless CI is set.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSummary } from '@orchion/api';
import { launchBrowser, normaliseText, type Browser } from '../support/browser';
import { startCluster, waitFor, type Cluster } from '../support/cluster';
import {
  REPO_ROOT,
  installExtension,
  requireCodeServer,
  startCodeServer,
  type CodeServer,
} from '../support/code-server';
import { packagedVsix } from '../support/vsix';
import { Workbench } from '../support/workbench';

const ARTIFACTS = join(REPO_ROOT, 'artifacts/ui');
const binary = requireCodeServer();

/** Without whitespace: the channel wraps token text into lines with a step prefix. */
const squash = (s: string): string => normaliseText(s).replace(/\s+/g, '');

describe.skipIf(!binary)('Orchion in VS Code (code-server + Chromium, packaged VSIX, real cluster)', () => {
  let cluster: Cluster | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench;
  let extensionsDir: string | undefined;
  let job: JobSummary | undefined;
  const started = new Date().toISOString();

  /** On failure: what the workbench and the cluster said. */
  const context = (): string =>
    `--- browser console\n${browser?.console().slice(-8_000)}\n--- code-server\n${server?.output().slice(-8_000)}` +
    `\n--- cluster\n${cluster?.output(8_000)}`;

  beforeAll(async () => {
    for (const f of existsSync(ARTIFACTS) ? readdirSync(ARTIFACTS) : []) {
      if (f.startsWith('vscode-')) rmSync(join(ARTIFACTS, f), { force: true });
    }
    const vsix = packagedVsix();
    cluster = await startCluster();
    server = await startCodeServer({
      binary: binary!,
      // The URL the Connect command offers first; the token is typed like a user would.
      settings: { 'orchion.url': cluster.url },
    });
    extensionsDir = join(server.dir, 'extensions');
    installExtension(binary!, vsix.path, extensionsDir);
    browser = await launchBrowser();
    wb = new Workbench(browser.page, ARTIFACTS);
  }, 180_000);

  // A failed step leaves a screenshot (vscode-failed-<n>.png) and what the workbench and the cluster said.
  let step = 0;
  beforeEach(({ onTestFailed }) => {
    const n = ++step;
    onTestFailed(async () => {
      if (browser) await wb.screenshot(`vscode-failed-${n}`).catch(() => {});
      console.error(context());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    cluster?.stop();
  });

  it('installs the packaged VSIX and shows the Orchion view', async () => {
    expect(readdirSync(extensionsDir!).some((d) => /^orchion\.orchion-\d/.test(d))).toBe(true);
    await wb.open(server!, { folder: cluster!.workspace, activityBarItem: 'Orchion' });
    await wb.openViewContainer('Orchion');
    await wb.view('Nodes').waitFor();
    await wb.view('Jobs').waitFor();
    await wb.screenshot('vscode-1-orchion-view');
  });

  it('connects from the command palette with the URL and the API token', async () => {
    await wb.runCommand('Orchion: Connect to Orchestrator');
    await wb.waitForQuickInput(/1\/2/);
    expect(await wb.quickInputValue()).toBe(cluster!.url);
    await wb.answerQuickInput(cluster!.url);
    await wb.waitForQuickInput(/2\/2/);
    await wb.answerQuickInput(cluster!.token);
    await expect.poll(() => wb.quickInput.isVisible(), { timeout: 15_000 }).toBe(false);
  });

  it('lists the agent in the Nodes view', async () => {
    const row = await wb.waitForRow(wb.view('Nodes'), new RegExp(cluster!.hostname), 30_000);
    expect(row).not.toMatch(/offline|stale/);
    await wb.screenshot('vscode-2-nodes');
  });

  it('submits a pipeline from the Explorer context menu, offering the input default', async () => {
    const items = await wb.explorerContextMenu('hello.orchion.yaml');
    expect(items).toContain('Submit Pipeline');
    await wb.screenshot('vscode-3-explorer-menu');
    await wb.clickMenuItem('Submit Pipeline');
    await wb.waitForQuickInput(/Submit hello: input 1 of 1/);
    expect(await wb.quickInputValue()).toBe('Ada');
    await wb.screenshot('vscode-4-submit-input');
    await wb.answerQuickInput();
    job = await waitFor('the submitted job in the API', async () => {
      const { jobs } = await cluster!.client.listJobs({ limit: 10 });
      return jobs.find((j) => j.name === 'hello' && j.createdAt >= started);
    });
  });

  it('shows the job succeeded in the Jobs view and its tokens in the Output panel', async () => {
    expect(job, 'the submit test created a job').toBeDefined();
    const id = job!.id;
    const short = id.slice(0, 8);
    const final = await waitFor(
      'the job to finish',
      async () => {
        const j = await cluster!.client.getJob(id);
        return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
      },
      120_000,
      200,
    );
    expect(final.state, JSON.stringify(final.stepDetails.map((s) => [s.id, s.error]))).toBe('succeeded');
    await wb.openViewContainer('Orchion');
    const jobs = wb.view('Jobs');
    await wb.waitForRow(jobs, new RegExp(`hello.*succeeded.*${short}`), 30_000);
    await wb.expandRow(jobs, new RegExp(`hello.*${short}`));
    await wb.waitForRow(jobs, /greet.*succeeded/);

    const entries: { kind: string; text: string }[] = [];
    await cluster!.client.streamJobLogs(id, (e) => entries.push(e));
    const tokens = entries
      .filter((e) => e.kind === 'token')
      .map((e) => e.text)
      .join('');
    expect(tokens.length, 'the job produced tokens').toBeGreaterThan(0);
    const channel = `Orchion: hello ${short}`;
    if ((await wb.outputChannel().catch(() => '')) !== channel) await wb.showOutputChannel(channel);
    const shown = await wb.waitForOutput(/job succeeded/, 30_000);
    // The first tokens are on screen (the channel wraps them under a `[greet]` prefix).
    const head = squash(tokens).slice(0, 24);
    expect(squash(shown), `Output panel:\n${shown}\ntokens:\n${tokens}`).toContain(head);
    await wb.screenshot('vscode-5-job-succeeded');
  });
});
