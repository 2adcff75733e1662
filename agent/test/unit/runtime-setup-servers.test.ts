/**
 * Runtimes built from an agent config against a real external server: the Orchion model server as a child
 * process (Ollama and OpenAI APIs, the tiny model, real inference). Models of both external runtimes are listed
 * under their names and serve completions; a server that is down at start costs a warning, and its models
 * appear once it answers; a local Ollama is detected (loopback only).
 */
import { parseAgentConfig } from '@orchion/schemas';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../../orchestrator/test/integration/harness.js';
import { resolveRuntimes } from '../../src/setup/config.js';
import { detectOllama, isLoopbackUrl } from '../../src/setup/detect.js';
import { ModelLister } from '../../src/setup/model-list.js';
import { setupRuntimes } from '../../src/setup/runtimes.js';
import { captureLogs } from '../support/logs.js';
import {
  removeDir,
  startServerProcess,
  tinyModelsDir,
  TINY,
  type ServerProcess,
} from '../support/model-server-process.js';

let server: ServerProcess;
let modelsDir: string;

beforeAll(async () => {
  modelsDir = await tinyModelsDir();
  server = await startServerProcess({ modelsDir });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (modelsDir) await removeDir(modelsDir);
});

const config = (yaml: string) => {
  const r = parseAgentConfig(`apiVersion: orchion/v1\nkind: AgentConfig\n${yaml}`, {
    env: { SERVER_KEY: 'k' },
  });
  expect(r.diagnostics).toEqual([]);
  return r.config!;
};

describe('external runtimes from a config file', () => {
  test('an Ollama and an OpenAI-compatible runtime list the server’s models and complete', async () => {
    const file = config(
      `runtimes:\n  - { type: ollama, url: "${server.url}", keepAlive: 1m }\n` +
        `  - { type: openai, name: compat, url: "${server.url}", apiKeyEnv: SERVER_KEY }\n`,
    );
    const logs = captureLogs();
    const s = setupRuntimes({
      dataDir: modelsDir,
      runtimes: file.runtimes,
      env: { SERVER_KEY: 'k' },
      logger: logs.logger,
    });
    try {
      expect(s.names).toEqual(['ollama', 'compat']);
      const models = await new ModelLister(s.runtimes, logs.logger).list();
      expect(models.map((m) => [m.runtime, m.name])).toEqual([
        ['ollama', TINY],
        ['compat', TINY],
      ]);
      for (const runtime of s.runtimes) {
        const r = await runtime.complete({ model: TINY, prompt: 'Hello', options: { maxTokens: 4 } });
        expect(r.completionTokens, runtime.name).toBeGreaterThan(0);
        expect(['maxTokens', 'eogToken']).toContain(r.stopReason);
      }
      expect(logs.warnings()).toEqual([]);
    } finally {
      await s.close();
    }
  });

  test('a server that is down at start: a warning, no models; they appear when it comes up', async () => {
    const port = await freePort();
    const file = config(`runtimes:\n  - { type: ollama, name: late, url: "http://127.0.0.1:${port}" }\n`);
    const logs = captureLogs();
    const s = setupRuntimes({ dataDir: modelsDir, runtimes: file.runtimes, logger: logs.logger });
    const lister = new ModelLister(s.runtimes, logs.logger);
    let late: ServerProcess | undefined;
    try {
      expect(await lister.list()).toEqual([]);
      expect(await lister.list()).toEqual([]);
      expect(logs.warnings()).toEqual([
        'runtime late cannot list its models; they are left out until it answers',
      ]);
      expect(lister.down.get('late')).toMatch(/unreachable/);
      late = await startServerProcess({ modelsDir, port });
      expect((await lister.list()).map((m) => [m.runtime, m.name])).toEqual([['late', TINY]]);
      expect(logs.lines.some((l) => l.msg === 'runtime late answers again')).toBe(true);
    } finally {
      await late?.stop();
      await s.close();
    }
  }, 60_000);
});

describe('local Ollama detection', () => {
  test('detects a server answering "Ollama is running" on loopback', async () => {
    expect(await detectOllama(server.url)).toBe(true);
    expect(await detectOllama(`http://127.0.0.1:${await freePort()}`)).toBe(false);
  });

  test('never probes other addresses', async () => {
    expect(isLoopbackUrl('http://10.0.0.5:11434')).toBe(false);
    expect(isLoopbackUrl('http://[::1]:11434')).toBe(true);
    expect(await detectOllama('http://192.0.2.1:11434', 60_000)).toBe(false);
  });

  test('with no runtime configured: the embedded runtime plus the detected server, named ollama (logged)', async () => {
    const logs = captureLogs();
    const entries = await resolveRuntimes({ detectUrl: server.url, logger: logs.logger });
    expect(entries).toEqual([
      'embedded',
      { type: 'ollama', name: 'ollama', managed: false, url: server.url },
    ]);
    expect(logs.lines.some((l) => String(l.msg).startsWith(`found an Ollama server at ${server.url}`))).toBe(
      true,
    );
    expect(await resolveRuntimes({ detectUrl: server.url, detect: false, logger: logs.logger })).toEqual([
      'embedded',
    ]);
    // Configured runtimes turn detection off.
    expect(
      await resolveRuntimes({ detectUrl: server.url, flags: { runtime: ['echo'] }, logger: logs.logger }),
    ).toEqual(['echo']);
  });
});
