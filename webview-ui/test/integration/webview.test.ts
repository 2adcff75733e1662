// The dashboard as VS Code shows it: the webview page from renderWebviewHtml (strict CSP with a nonce, assets
// from the webview's resource origin), talking only through the message protocol to the extension's real bridge
// (extension/src/webview/bridge.ts) with a real orchestrator and agent behind it. The one stand-in is VS Code's
// webview messaging itself (acquireVsCodeApi and window messages), which exists only inside VS Code: here
// Playwright carries the messages between the page and the bridge, in order.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DashboardBridge } from '../../../extension/src/webview/bridge';
import { renderWebviewHtml } from '../../src/webview-html';
import type { HostToWebview, WebviewToHost } from '../../src/protocol';
import { PIPELINE, ROOT, SHOTS, haveChromium, startCluster, type Cluster } from './cluster';

const ORIGIN = 'https://webview.test';

/** The page's document, as far as this file (typechecked without the DOM library) uses it. */
interface PageDocument {
  documentElement: { style: { setProperty(name: string, value: string): void } };
  body: { classList: { add(name: string): void } };
}

/** The page's window, as far as this file (typechecked without the DOM library) uses it. */
interface PageWindow {
  postMessage(message: unknown, targetOrigin: string): void;
}

describe.skipIf(!haveChromium)('the dashboard in a webview (VS Code transport, strict webview CSP)', () => {
  let cluster: Cluster;
  let page: Page;
  const commands: [string, unknown[]][] = [];
  const fromPage: WebviewToHost['type'][] = [];

  beforeAll(async () => {
    cluster = await startCluster();
    const { orch } = cluster;
    page = await cluster.newPage();
    let delivery = Promise.resolve();
    const bridge = new DashboardBridge({
      endpoint: () => ({ url: orch.httpUrl, token: orch.adminToken }),
      post: (message: HostToWebview) => {
        // One at a time, so the page sees messages in the order the bridge posted them (as VS Code delivers).
        delivery = delivery
          .then(() =>
            page.evaluate((m) => (globalThis as unknown as PageWindow).postMessage(m, '*'), message),
          )
          .catch(() => undefined);
      },
      command: (command, args) => commands.push([command, args]),
    });
    await page.exposeFunction('__orchionToHost', (message: WebviewToHost) => {
      fromPage.push(message.type);
      void bridge.handle(message);
    });
    await page.addInitScript(
      'window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__orchionToHost(m), getState: () => undefined, setState: () => {} });',
    );
    const dist = join(ROOT, 'webview-ui/dist');
    await page.route(`${ORIGIN}/**`, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/index.html') {
        const html = renderWebviewHtml({
          scriptUri: `${ORIGIN}/dashboard.js`,
          styleUri: `${ORIGIN}/dashboard.css`,
          nonce: 'n0nce0123456789abcdefXYZ',
          cspSource: ORIGIN,
        });
        return route.fulfill({ contentType: 'text/html', body: html });
      }
      const type = path.endsWith('.js') ? 'text/javascript' : path.endsWith('.css') ? 'text/css' : undefined;
      if (!type) return route.fulfill({ status: 404, body: '' });
      return route.fulfill({ contentType: type, body: readFileSync(join(dist, path.slice(1))) });
    });
  }, 90_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      await page.screenshot({ path: join(SHOTS, 'dashboard-webview-failure.png') });
    }
  });

  afterAll(() => cluster?.stop());

  it('shows the node and a live job through the host messages, and asks VS Code to reveal a step', async () => {
    const { orch, hostname, problems } = cluster;
    await page.goto(`${ORIGIN}/index.html`);
    expect(await page.getAttribute('body', 'data-host')).toBe('vscode');
    await page.locator('orchion-node-card', { hasText: hostname }).waitFor();
    // No token prompt, no theme toggle or sign-out in VS Code.
    expect(await page.getByRole('heading', { name: 'Connect to the orchestrator' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Theme|Sign out/ }).count()).toBe(0);
    await page.locator('.live-open').waitFor();
    // VS Code themes a webview by setting --vscode-* variables on <html> through the CSSOM (which the CSP allows)
    // and a class on <body>; here the light values of the browser theme play VS Code's part.
    const theme = readFileSync(join(ROOT, 'webview-ui/src/styles/theme.css'), 'utf8');
    const vars = [...theme.matchAll(/(--vscode-[\w-]+): light-dark\(([^,]+),/g)].map(
      (m): [string, string] => [m[1]!, m[2]!.trim()],
    );
    for (const m of theme.matchAll(/(--vscode-(?:editor-)?font-[\w-]+): ([^;]+);/g))
      vars.push([m[1]!, m[2]!]);
    expect(vars.length).toBeGreaterThan(20);
    await page.evaluate((pairs) => {
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      for (const [name, value] of pairs) doc.documentElement.style.setProperty(name, value);
      doc.body.classList.add('vscode-light');
    }, vars);
    expect(vars).toContainEqual(['--vscode-editor-background', '#ffffff']);
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(255, 255, 255)');

    await page.getByRole('tab', { name: /Jobs/ }).click();
    const job = await orch.client.submitJob({ pipeline: PIPELINE });
    const row = page.locator(`[data-job-id="${job.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await page.getByRole('tab', { name: 'Logs' }).click();
    const state = page.locator('[data-testid="job-state"]');
    await expect.poll(async () => (await state.textContent())?.trim(), { timeout: 90_000 }).toBe('Succeeded');
    await page.locator('.pill.stream-ended').waitFor();
    expect(((await page.locator('.log-lines').textContent()) ?? '').replace(/\s+/g, ' ')).toContain(
      'w79 needle w80',
    );
    await page.locator('.log-search input').fill('needle');
    await expect.poll(() => page.locator('.match-count').textContent()).toBe('1 of 1');

    await page.getByRole('tab', { name: 'Steps' }).click();
    await page.getByRole('button', { name: 'Reveal step stream in the pipeline file' }).click();
    await expect.poll(() => commands).toContainEqual(['orchion.revealStep', [job.id, 'stream']]);
    await page.screenshot({ path: join(SHOTS, 'dashboard-webview.png') });

    expect(fromPage).toContain('ready');
    expect(fromPage).toContain('subscribe');
    expect(problems).toEqual([]);
  });
});
