// Shared by the in-host suites: the cluster the launcher started (environment), the extension's test API, and
// polling (the extension updates asynchronously from the orchestrator's event stream).
import * as vscode from 'vscode';
import type { OrchionExtensionApi } from '../../src/extension';
import type { OrchionTestApi } from '../../src/test-api';

export interface TestEnv {
  url: string;
  token: string;
  workspace: string;
}

/** ORCHION_TEST_URL, ORCHION_TEST_TOKEN and ORCHION_TEST_WORKSPACE (a clear failure when one is missing). */
export function testEnv(): TestEnv {
  const url = process.env.ORCHION_TEST_URL;
  const token = process.env.ORCHION_TEST_TOKEN;
  const workspace = process.env.ORCHION_TEST_WORKSPACE;
  const missing = Object.entries({
    ORCHION_TEST_URL: url,
    ORCHION_TEST_TOKEN: token,
    ORCHION_TEST_WORKSPACE: workspace,
  })
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length)
    throw new Error(`the launcher must set ${missing.join(', ')} in the extension host's environment`);
  return { url: url!, token: token!, workspace: workspace! };
}

export const EXTENSION_ID = 'orchion.orchion';

export async function testApi(): Promise<OrchionTestApi> {
  const ext = vscode.extensions.getExtension<OrchionExtensionApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  const api = await ext.activate();
  return api.testApi;
}

/** Connects the extension to the test cluster (idempotent). */
export async function connected(): Promise<OrchionTestApi> {
  const api = await testApi();
  if (api.connectionState() !== 'connected') {
    const env = testEnv();
    const ok = await vscode.commands.executeCommand<boolean>('orchion.connect', env.url, env.token);
    if (!ok) throw new Error(`orchion.connect(${env.url}) did not connect`);
  }
  return api;
}

export function workspaceFile(name: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.Uri.file(testEnv().workspace), name);
}

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
  );
}

/** The API's JSON for a path, with the test token. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const env = testEnv();
  const res = await fetch(env.url + path, {
    ...init,
    headers: { authorization: `Bearer ${env.token}`, ...(init.headers ?? {}) },
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
