// The workbench driver's self-test (extension/test/support/workbench.ts): code-server in Chromium with the
// self-test extension loaded as under development, driven like a user — the command palette and an input box,
// the Explorer's context menu, a contributed tree view, and the Output panel (with Monaco's U+00A0 spaces).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, type Browser } from '../support/browser';
import { REPO_ROOT, requireCodeServer, startCodeServer, type CodeServer } from '../support/code-server';
import { Workbench } from '../support/workbench';

const FIXTURE = fileURLToPath(new URL('../support/fixtures/host-selftest/', import.meta.url));
const binary = requireCodeServer();

describe.skipIf(!binary)('workbench driver (self-test)', () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'orchion-driver-ws-'));
    writeFileSync(join(folder, 'notes.selftest.txt'), 'two  spaces here\n');
    writeFileSync(join(folder, 'other.txt'), 'not for the menu\n');
    server = await startCodeServer({ binary: binary! });
    browser = await launchBrowser();
    wb = new Workbench(browser.page, join(REPO_ROOT, 'artifacts/ui'));
    await wb.open(server, { folder, extensionDevelopmentPath: FIXTURE, activityBarItem: 'Self-test' });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs a palette command and answers its input box', async () => {
    await wb.runCommand('Host Self-test: Hello');
    await expect.poll(() => wb.quickInputText()).toMatch(/Who to greet\?/);
    await wb.answerQuickInput('driver');
    await wb.waitForOutput(/hello driver/);
    expect(await wb.outputChannel()).toBe('Self-test');
  });

  it("offers a contributed command in the Explorer's context menu only for matching files", async () => {
    expect(await wb.explorerContextMenu('other.txt')).not.toContain('Inspect File');
    await browser.page.keyboard.press('Escape');
    const items = await wb.explorerContextMenu('notes.selftest.txt');
    expect(items).toContain('Inspect File');
    await wb.screenshot('selftest-context-menu');
    await wb.clickMenuItem('Inspect File');
    // Two spaces survive normalisation (Monaco renders them as U+00A0).
    await wb.waitForOutput(/inspected notes\.selftest\.txt: two {2}spaces here/);
  });

  it('shows a contributed tree view with its rows', async () => {
    await wb.openViewContainer('Self-test');
    const row = await wb.waitForRow(wb.view('Items'), /notes\.selftest\.txt/);
    expect(row).toMatch(/inspected/);
    await wb.screenshot('selftest-tree');
  });
});
