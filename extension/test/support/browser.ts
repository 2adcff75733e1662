// Debian's Chromium driven by playwright-core (no browser download): a fresh profile per launch, headless, and
// nothing that reaches outside loopback (no sync, component updates or background networking).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.ORCHION_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--disable-crash-reporter',
  '--disable-breakpad',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** The page's console messages and errors so far, one per line. */
  console(): string;
  close(): Promise<void>;
}

export async function launchBrowser(opts: { width?: number; height?: number } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'orchion-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: opts.width ?? 1400, height: opts.height ?? 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`[console.${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
  return {
    context,
    page,
    console: () => lines.join('\n'),
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Monaco and the workbench render spaces as U+00A0 (and some text with zero-width marks): plain spaces. */
export function normaliseText(s: string): string {
  return s.replace(/[\u00a0\u2002-\u200a\u202f]/g, ' ').replace(/[\u200b-\u200d\ufeff]/g, '');
}
