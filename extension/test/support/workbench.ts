// Drives code-server's workbench in Chromium like a user: the activity bar, tree views, the Explorer's context
// menu, the command palette and quick inputs, the Output panel, screenshots. Selectors are VS Code 1.100's DOM
// (class names and aria-labels); text is normalised because Monaco renders spaces as U+00A0.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { normaliseText } from './browser';
import { workbenchUrl, type CodeServer } from './code-server';

export interface WorkbenchOptions {
  folder: string;
  /** Load an extension folder as under development (no install needed), through the URL payload. */
  extensionDevelopmentPath?: string;
  /** Wait for this activity-bar container (an extension's contributions are registered once it shows). */
  activityBarItem?: string;
  timeoutMs?: number;
}

export class Workbench {
  constructor(
    readonly page: Page,
    private readonly artifactsDir: string,
  ) {}

  async open(server: CodeServer, o: WorkbenchOptions): Promise<void> {
    const timeout = o.timeoutMs ?? 60_000;
    await this.page.goto(workbenchUrl(server, o));
    await this.page.locator('.monaco-workbench').waitFor({ timeout });
    if (o.activityBarItem) await this.activityBarItem(o.activityBarItem).waitFor({ timeout });
  }

  activityBarItem(title: string): Locator {
    // aria-label is the container title, with the keybinding in parentheses for built-in ones.
    return this.page
      .locator(`.activitybar .action-item .action-label[aria-label^="${title}"]`)
      .filter({ visible: true })
      .first();
  }

  /** Shows a view container (clicking an already-active one would collapse the side bar: skipped then). */
  async openViewContainer(title: string): Promise<void> {
    const item = this.activityBarItem(title);
    const checked = await item.locator('xpath=..').getAttribute('aria-pressed');
    const selected = await item.locator('xpath=..').getAttribute('class');
    if (checked !== 'true' && !selected?.includes('checked')) await item.click();
  }

  /** A view's pane (its header's aria-label starts with the view's name). */
  view(name: string): Locator {
    return this.page
      .locator('.pane')
      .filter({ has: this.page.locator(`.pane-header[aria-label^="${name}" i]`) })
      .first();
  }

  /** The rows of a tree view as the screen reader reads them (label, description, …), normalised. */
  async rows(view: Locator): Promise<string[]> {
    const labels = await view
      .locator('.monaco-list-row')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label') ?? ''} ${e.textContent ?? ''}`));
    return labels.map(normaliseText);
  }

  /** Waits until some row of the view matches, and returns its text. */
  async waitForRow(view: Locator, match: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last: string[] = [];
    while (Date.now() < deadline) {
      last = await this.rows(view).catch(() => []);
      const hit = last.find((r) => match.test(r));
      if (hit) return hit;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no row matching ${match} within ${timeoutMs} ms; rows:\n${last.join('\n')}`);
  }

  /** Expands the first row of the view that matches (by its twistie, so no item command runs). */
  async expandRow(view: Locator, match: RegExp): Promise<void> {
    const rows = view.locator('.monaco-list-row');
    const texts = await this.rows(view);
    const i = texts.findIndex((t) => match.test(t));
    if (i < 0) throw new Error(`no row matching ${match}; rows:\n${texts.join('\n')}`);
    const row = rows.nth(i);
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
  }

  /** Right-clicks a file in the Explorer and returns the context menu's item labels. */
  async explorerContextMenu(fileName: string): Promise<string[]> {
    await this.openViewContainer('Explorer');
    const row = this.page
      .locator(`.explorer-folders-view .monaco-list-row[aria-label="${fileName}"]`)
      .first();
    await row.click({ button: 'right' });
    const items = this.page.locator('.monaco-menu .action-item .action-label');
    await items.first().waitFor();
    return (await items.allTextContents()).map(normaliseText).filter((t) => t.trim());
  }

  /** Clicks an item of the open context menu. */
  async clickMenuItem(label: string | RegExp): Promise<void> {
    await this.page.locator('.monaco-menu .action-item').filter({ hasText: label }).first().click();
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Runs a command from the palette by its title ("Category: Title"). */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const box = this.quickInput.locator('input');
    await box.waitFor();
    await box.fill(`>${title}`);
    const row = this.quickInput.locator(`.monaco-list-row[aria-label^="${title}"]`).first();
    await row.waitFor();
    await row.click();
  }

  /** The open quick input's title, prompt and placeholder (to tell what it asks), or undefined when closed. */
  async quickInputText(): Promise<string | undefined> {
    if (!(await this.quickInput.isVisible())) return undefined;
    const parts = await Promise.all([
      this.quickInput
        .locator('.quick-input-title')
        .textContent()
        .catch(() => ''),
      this.quickInput
        .locator('.quick-input-message')
        .textContent()
        .catch(() => ''),
      this.quickInput
        .locator('input')
        .getAttribute('placeholder')
        .catch(() => ''),
      this.quickInput
        .locator('input')
        .getAttribute('aria-label')
        .catch(() => ''),
    ]);
    return normaliseText(parts.filter(Boolean).join(' | '));
  }

  /** The text in the open quick input's box (e.g. a default value it offers). */
  async quickInputValue(): Promise<string> {
    return normaliseText(await this.quickInput.locator('input').inputValue());
  }

  /** Waits for a quick input whose title/prompt matches, and returns that text. */
  async waitForQuickInput(match: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last: string | undefined;
    while (Date.now() < deadline) {
      last = await this.quickInputText();
      if (last && match.test(last)) return last;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`no quick input matching ${match} within ${timeoutMs} ms (last: ${last ?? 'none open'})`);
  }

  /** Types a value into the open quick input (replacing its text) and accepts it. */
  async answerQuickInput(value?: string): Promise<void> {
    const box = this.quickInput.locator('input');
    await box.waitFor();
    if (value !== undefined) await box.fill(value);
    await box.press('Enter');
  }

  /** Shows an output channel in the Output panel. */
  async showOutputChannel(name: string): Promise<void> {
    await this.runCommand('Output: Show Output Channels...');
    const box = this.quickInput.locator('input');
    await box.fill(name);
    const row = this.quickInput.locator(`.monaco-list-row[aria-label^="${name}"]`).first();
    await row.waitFor();
    await row.click();
  }

  /** The Output panel's visible text, normalised. */
  async outputText(): Promise<string> {
    const lines = this.page.locator(
      '.part.panel .output-view .view-lines, .part.panel .monaco-editor .view-lines',
    );
    return normaliseText((await lines.allTextContents()).join('\n'));
  }

  /** The channel the Output panel shows. */
  async outputChannel(): Promise<string> {
    const select = this.page.locator('.part.panel select.monaco-select-box').first();
    return select.evaluate((s) => {
      const el = s as unknown as { selectedIndex: number; options: { text: string }[] };
      return el.options[el.selectedIndex]?.text ?? '';
    });
  }

  async waitForOutput(match: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await this.outputText().catch(() => '');
      if (match.test(last)) return last;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`the Output panel did not show ${match} within ${timeoutMs} ms; it shows:\n${last}`);
  }

  /** Saves a screenshot as `<artifactsDir>/<name>.png` and returns its path. */
  async screenshot(name: string): Promise<string> {
    const path = resolve(this.artifactsDir, `${name}.png`);
    mkdirSync(dirname(path), { recursive: true });
    await this.page.screenshot({ path });
    return path;
  }
}
