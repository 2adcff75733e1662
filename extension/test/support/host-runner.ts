// Runs an extension's test module inside code-server's real extension host, the way @vscode/test-electron does
// for desktop VS Code: the workbench URL's `payload` names the extension under development and the tests module
// (VS Code's extensionTestsPath contract: it exports `run(): Promise<void>`). The workbench calls
// `window.codeAutomationExit(code, logs)` when run() settles and `window.codeAutomationLog(level, message)` for
// the host's log lines; Chromium (playwright-core) receives both.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { launchBrowser } from './browser';
import { workbenchUrl, type CodeServer } from './code-server';

export interface HostRunOptions {
  server: CodeServer;
  /** Absolute path of the extension folder (its package.json). */
  extensionDevelopmentPath: string;
  /** Absolute path of the bundled tests module. */
  extensionTestsPath: string;
  /** Absolute path of the workspace folder to open. */
  folder: string;
  /** Default 240 s. */
  timeoutMs?: number;
  /** When set, a screenshot of the workbench is saved here at the end (pass or fail). */
  screenshot?: string;
}

export interface HostRunResult {
  exitCode: number;
  /** The tests' output and the host's log lines as the workbench reported them. */
  log: string;
  /** From the suite's final `N passed, N failed` line; undefined when it printed none. */
  passed?: number;
  failed?: number;
}

/** The last `N passed, N failed` line in a log. */
export function parseSummary(log: string): { passed: number; failed: number } | undefined {
  const all = [...log.matchAll(/(\d+) passed, (\d+) failed/g)];
  const last = all.at(-1);
  return last ? { passed: Number(last[1]), failed: Number(last[2]) } : undefined;
}

/**
 * An extension host that died during the run (a non-zero code or a signal), from code-server's log since
 * `from`, as an error message.
 */
export function hostCrash(serverOutput: string, from: number): string | undefined {
  const exits = serverOutput
    .slice(from)
    .matchAll(/Extension Host Process exited with code: (\w+), signal: (\w+)/g);
  const m = [...exits].find((x) => x[1] !== '0' || x[2] !== 'null');
  return m && `the extension host exited (code ${m[1]}, signal ${m[2]}) before the tests reported`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runHostTests(opts: HostRunOptions): Promise<HostRunResult> {
  const timeoutMs = opts.timeoutMs ?? 240_000;
  const browser = await launchBrowser();
  const lines: string[] = [];
  const from = opts.server.output().length;
  const crash = () => hostCrash(opts.server.output(), from);
  const screenshot = async () => {
    if (!opts.screenshot) return;
    mkdirSync(dirname(opts.screenshot), { recursive: true });
    writeFileSync(opts.screenshot, await browser.page.screenshot().catch(() => Buffer.alloc(0)));
  };
  try {
    let exitCode: number | undefined;
    await browser.page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
      // The workbench hands over a log call's arguments (an array): strings as they are, the rest as JSON.
      const parts = Array.isArray(message) ? message : [message];
      const text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
      lines.push(level === 'info' ? text : `[${level}] ${text}`);
    });
    await browser.page.exposeFunction(
      'codeAutomationExit',
      (code: number, logs?: { relativePath: string; contents: string }[]) => {
        // The host's log files (exthost, renderer, remote agent), for a failure's report.
        for (const f of logs ?? []) {
          if (/exthost|remoteagent|renderer/i.test(f.relativePath) && f.contents.trim()) {
            lines.push(`--- ${f.relativePath}\n${f.contents.trimEnd()}`);
          }
        }
        exitCode = code;
      },
    );
    await browser.page.goto(workbenchUrl(opts.server, opts));
    try {
      // Until the workbench reports the exit, the host is seen dying (a crash: 5 s of grace for a report on its
      // way), or the time is up.
      const deadline = Date.now() + timeoutMs;
      let crashedAt: number | undefined;
      while (exitCode === undefined) {
        if (crash()) crashedAt ??= Date.now();
        if (crashedAt !== undefined && Date.now() - crashedAt > 5_000) throw new Error(crash());
        if (Date.now() > deadline) throw new Error(`the host tests did not finish within ${timeoutMs} ms`);
        await sleep(200);
      }
      // After a host crash the workbench reconnects and may report exit code 0: code-server's log tells.
      for (let i = 0; i < 10 && !crash(); i++) await sleep(200);
      if (crash()) throw new Error(crash());
    } catch (err) {
      await screenshot();
      throw new Error(
        `${(err as Error).message}\n--- host log\n${lines.join('\n')}\n--- browser console\n${browser.console()}` +
          `\n--- code-server\n${opts.server.output()}`,
      );
    }
    await screenshot();
    const log = lines.join('\n');
    return { exitCode, log, ...parseSummary(log) };
  } finally {
    await browser.close();
  }
}

/** A failure message with everything needed to see why: the log, and code-server's own output. */
export function describeRun(result: HostRunResult, server: CodeServer): string {
  return `exit ${result.exitCode}, ${result.passed ?? '?'} passed, ${result.failed ?? '?'} failed\n--- host log\n${result.log}\n--- code-server\n${server.output()}`;
}
