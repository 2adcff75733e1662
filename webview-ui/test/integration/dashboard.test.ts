// The web dashboard end to end: a real orchestrator (serving the built dashboard at /) and a real agent (embedded
// llama.cpp with the generated tiny model, and the echo runtime with a per-token delay so a step streams for a
// few seconds), opened in headless Debian Chromium through playwright-core. Screenshots go to artifacts/ui/.
// (Code run inside the page is passed as strings: this file is typechecked without the DOM library.)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../orchestrator/test/integration/harness';
import { PIPELINE, ROOT, SHOTS, haveChromium, startCluster, words, type Cluster } from './cluster';

describe.skipIf(!haveChromium)('web dashboard in headless Chromium', () => {
  let cluster: Cluster;
  let orch: Cluster['orch'];
  let page: Page;
  let hostname: string;
  let problems: string[];
  const listRequests: string[] = [];
  const eventRequests: string[] = [];

  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(SHOTS, `dashboard-${name}.png`), fullPage: false });
  };

  beforeAll(async () => {
    expect(
      existsSync(join(ROOT, 'orchestrator/dist/dashboard/index.html')),
      'the dashboard is built into orchestrator/dist/dashboard (npm run build)',
    ).toBe(true);
    cluster = await startCluster();
    ({ orch, hostname, problems } = cluster);
    page = await cluster.newPage();
    page.on('request', (r) => {
      if (/\/api\/v1\/jobs\?/.test(r.url())) listRequests.push(r.url());
      if (r.url().includes('/api/v1/events')) eventRequests.push(r.url());
    });
  }, 90_000);

  afterEach(async (ctx) => {
    // What the page showed when a test failed (kept with the other screenshots).
    if (ctx.task.result?.state === 'fail' && page) {
      await page.screenshot({
        path: join(SHOTS, `dashboard-failure-${ctx.task.name.slice(0, 24).replace(/\W+/g, '-')}.png`),
      });
    }
  });

  afterAll(() => cluster?.stop());

  it('asks for the token once, then shows the node with its bars and models', async () => {
    const res = await page.goto(`${orch.httpUrl}/`);
    expect(res!.status()).toBe(200);
    expect(res!.headers()['content-security-policy']).toContain("default-src 'none'");
    await page.getByRole('heading', { name: 'Connect to the orchestrator' }).waitFor();
    // A wrong token is refused with a message; the right one connects.
    await page.locator('#token input').fill('not-the-token');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'refused this token' }).waitFor();
    await page.locator('#token input').fill(orch.adminToken);
    await page.keyboard.press('Enter');
    const card = page.locator('orchion-node-card', { hasText: hostname });
    await card.waitFor();
    // The refused token's requests are the only errors so far.
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.includes('status of 401'))).toBe(true);
    problems.length = 0;
    await expect.poll(() => card.locator('.pill').first().textContent()).toBe('Ready');
    await page.locator('.live-open').waitFor();
    expect(await card.getByRole('meter', { name: 'Memory' }).getAttribute('aria-valuenow')).toMatch(/^\d+$/);
    expect(await card.getByRole('meter', { name: 'Slots' }).getAttribute('aria-valuetext')).toContain(
      'of 2 tasks',
    );
    expect(await card.locator('.chips').first().textContent()).toMatch(
      /echo[\s\S]*embedded|embedded[\s\S]*echo/,
    );
    expect(await card.locator('.models').textContent()).toContain('orchion-tiny');
    expect(await card.locator('.chips', { hasText: 'Labels' }).textContent()).toContain('zone=lab');
    expect(await page.evaluate("localStorage.getItem('orchion.token')")).toBe(orch.adminToken);
    await shot('cluster');
  });

  it('shows a job submitted through the API appear, stream its tokens and succeed, live', async () => {
    await page.getByRole('tab', { name: /Jobs/ }).click();
    await page.getByText('No jobs yet').waitFor();
    const listsBefore = listRequests.length;

    const job = await orch.client.submitJob({ pipeline: PIPELINE });
    const row = page.locator(`[data-job-id="${job.id}"]`);
    await row.waitFor({ timeout: 10_000 }); // from job.created on the event stream
    expect(await row.textContent()).toContain('dashboard-e2e');
    await row.click();
    expect(new URL(page.url()).pathname).toBe(`/jobs/${job.id}`);
    await page.getByRole('tab', { name: 'Logs' }).click();
    expect(new URL(page.url()).pathname).toBe(`/jobs/${job.id}/logs`);

    // Tokens arrive while the job runs: the count grows across readings taken before it succeeds.
    const counts: number[] = [];
    const state = page.locator('[data-testid="job-state"]');
    await waitFor(
      'tokens to stream while the job runs',
      async () => {
        const text = (await page.locator('.token-rate').textContent()) ?? '';
        const n = Number(/(\d+) tokens/.exec(text)?.[1] ?? 0);
        if ((await state.textContent())?.trim() === 'Running' && n > 0 && n !== counts[counts.length - 1])
          counts.push(n);
        return counts.length >= 3;
      },
      90_000, // the embedded step first loads its model, which is slow on a busy 2-core machine
      150,
    );
    expect(counts).toEqual([...counts].sort((a, b) => a - b));

    await expect.poll(async () => (await state.textContent())?.trim(), { timeout: 60_000 }).toBe('Succeeded');
    await expect.poll(() => row.locator('.pill').textContent()).toBe('Succeeded');
    await page.locator('.pill.stream-ended').waitFor();
    const final = await orch.client.getJob(job.id);
    expect(final.state).toBe('succeeded');
    // The whole echo output is in the log view, in order.
    const logText = (await page.locator('.log-lines').textContent()) ?? '';
    expect(logText.replace(/\s+/g, ' ')).toContain(`${words(80)} needle w80 w81`);
    expect(logText).toContain(
      String(final.stepDetails.find((s) => s.id === 'draft')!.output)
        .trim()
        .slice(0, 20),
    );
    // Nothing was refetched: the list changed from the event stream alone.
    expect(listRequests.length).toBe(listsBefore);

    // The list's filters: by state and by name.
    await page.locator('orchion-job-list vscode-single-select').click();
    await page.getByRole('option', { name: 'Failed' }).click();
    await page.getByText('No jobs match the filter.').waitFor();
    await page.locator('orchion-job-list vscode-single-select').click();
    await page.getByRole('option', { name: 'Succeeded' }).click();
    await row.waitFor();
    await page.locator('orchion-job-list vscode-textfield input').fill('no-such-name');
    await page.getByText('No jobs match the filter.').waitFor();
    await page.locator('orchion-job-list vscode-textfield input').fill('e2e');
    await row.waitFor();

    // Search the log: one match for "needle", many for "w1"; Enter moves to the next.
    const search = page.locator('.log-search input');
    await search.fill('needle');
    await expect.poll(() => page.locator('.match-count').textContent()).toBe('1 of 1');
    expect(await page.locator('mark.current').textContent()).toBe('needle');
    await search.fill('w1');
    const many = Number(/of (\d+)/.exec((await page.locator('.match-count').textContent()) ?? '')?.[1]);
    expect(many).toBeGreaterThan(10);
    await search.press('Enter');
    await expect.poll(() => page.locator('.match-count').textContent()).toBe(`2 of ${many}`);
    await search.fill('needle');
    await expect.poll(() => page.locator('.match-count').textContent()).toBe('1 of 1');
    await shot('logs');

    await page.getByRole('tab', { name: 'Steps' }).click();
    await page.locator('svg.timeline').waitFor();
    const rows = page.locator('.steps-table tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(1).textContent()).toContain(hostname);
    expect(await page.locator('svg.timeline').getAttribute('aria-label')).toMatch(
      /draft succeeded .*stream succeeded/,
    );
    await shot('job');
  });

  it('charts slot use, works by keyboard, keeps deep links on reload (token remembered), has a dark theme, and no CSP violations or errors', async () => {
    const url = page.url();
    // Slot use over time (kept for the page's session): the job's running steps drew the line, back to 0% now.
    await page.getByRole('tab', { name: 'Cluster' }).click();
    const slots = page.locator('.chart-card', { hasText: 'Slots in use' });
    expect(await slots.locator('path.line').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+H/);
    expect(await slots.textContent()).toContain('0% of 2 slots now');
    await shot('cluster-activity');
    // Keyboard: arrows move between the main tabs, a job row opens with Enter, arrows move between job tabs.
    await page.locator('#tab-cluster').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#tab-jobs').getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate('document.activeElement.id')).toBe('tab-jobs');
    await page.locator('.job-row').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('#tab-steps[aria-selected="true"]').waitFor();
    await page.locator('#tab-steps').focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('#tab-logs[aria-selected="true"]').waitFor();
    expect(await page.evaluate('document.activeElement.id')).toBe('tab-logs');
    await page.goto(url); // a fresh load of the deep link
    await page.locator('[data-testid="job-state"]').waitFor();
    expect(page.url()).toBe(url);
    await page.getByRole('tab', { name: 'Cluster' }).click();
    await page.locator('orchion-node-card', { hasText: hostname }).waitFor();
    // The throughput chart counts the finished job.
    const card = (name: string) => page.locator('.chart-card', { hasText: name });
    await expect.poll(() => card('Throughput').textContent()).toContain('1 job finished');
    // The generation-speed chart has the job's steps (read from its detail after the reload).
    await expect.poll(() => card('Generation speed').textContent()).toMatch(/\d+\.\d tokens\/s/);

    const light = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    await page.getByRole('button', { name: /Theme: system/ }).click(); // → light
    await page.getByRole('button', { name: /Theme: light/ }).click(); // → dark
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    const dark = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(dark).not.toBe(light);
    await shot('cluster-dark');
    // Back to the system's choice, which follows prefers-color-scheme; the choice is remembered.
    await page.getByRole('button', { name: /Theme: dark/ }).click(); // → system
    expect(await page.evaluate("localStorage.getItem('orchion.theme')")).toBe('system');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe(dark);
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe(light);
    expect(problems).toEqual([]);
  });

  it('cancels a running job and reruns it from the job detail', async () => {
    const long = PIPELINE.replace('dashboard-e2e', 'long-echo').replace(/needle/, words(400, 200));
    const job = await orch.client.submitJob({ pipeline: long });
    await page.goto(`${orch.httpUrl}/jobs/${job.id}`);
    const state = page.locator('[data-testid="job-state"]');
    await expect.poll(async () => (await state.textContent())?.trim(), { timeout: 60_000 }).toBe('Running');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(async () => (await state.textContent())?.trim(), { timeout: 20_000 }).toBe('Cancelled');
    expect((await orch.client.getJob(job.id)).state).toBe('cancelled');
    await page.getByRole('button', { name: 'Rerun' }).click();
    await expect.poll(() => new URL(page.url()).pathname).not.toBe(`/jobs/${job.id}`);
    const rerunId = new URL(page.url()).pathname.split('/')[2]!;
    const rerun = await orch.client.getJob(rerunId);
    expect(rerun.name).toBe('long-echo');
    expect(rerun.pipeline).toBe(long);
    await page.locator(`[data-job-id="${rerunId}"]`).waitFor();
    await orch.client.cancelJob(rerunId);
    await expect.poll(async () => (await state.textContent())?.trim(), { timeout: 20_000 }).toBe('Cancelled');
  });

  it('reconnects after the orchestrator restarts and resumes the event stream where it stopped', async () => {
    await page.getByRole('tab', { name: /Jobs/ }).click();
    const listsBefore = listRequests.length;
    const restarted = cluster.restartOrchestrator();
    await page.locator('.live-retrying').waitFor({ timeout: 20_000 });
    orch = await restarted;
    // Submitted at once: the page is still waiting to reconnect (backoff), so this job.created reaches it by
    // replay after its last event id, or live if it is back already; either way without reloading the list.
    const job = await orch.client.submitJob({ pipeline: PIPELINE });
    await page.locator(`[data-job-id="${job.id}"]`).waitFor({ timeout: 30_000 });
    await page.locator('.live-open').waitFor();
    expect(listRequests.length).toBe(listsBefore);
    // It resubscribed after the last event it had seen.
    expect(eventRequests[0]).toMatch(/\/api\/v1\/events$/);
    expect(eventRequests[eventRequests.length - 1]).toMatch(/\/api\/v1\/events\?lastEventId=\d+$/);
    // The node comes back too (the agent reconnects) and the job finishes.
    await page
      .locator(`[data-job-id="${job.id}"] .pill`, { hasText: 'Succeeded' })
      .waitFor({ timeout: 90_000 });
    problems.length = 0; // the failed requests while the orchestrator was down are expected
  });
});
