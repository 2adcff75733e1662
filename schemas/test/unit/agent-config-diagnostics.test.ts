/**
 * Agent config diagnostics with exact ranges (⟦ … ⟧ marks where each is expected): the YAML layer, the schema
 * layer, and the runtime checks, one or more fixtures per code.
 */
import { describe, expect, test } from 'vitest';
import {
  AGENT_CONFIG_CODES,
  formatDiagnostic,
  parseAgentConfig,
  type AgentConfigCode,
  type AgentConfigParseOptions,
} from '../../src/index.js';
import { expectDiagnosticsOf, fixture, type Expected } from './helpers/cursor.js';

const H = 'apiVersion: orchion/v1\nkind: AgentConfig\n';

const check = (marked: string, expected: (AgentConfigCode | Expected)[], options?: AgentConfigParseOptions) =>
  expectDiagnosticsOf((text) => parseAgentConfig(text, options), marked, expected);

describe('YAML layer', () => {
  test('yaml-syntax, and no config', () => {
    const r = check(`${H}runtimes: [\n⟦⟧`, ['yaml-syntax']);
    expect(r.config).toBeUndefined();
  });

  test('yaml-syntax: several documents name the agent config file', () => {
    check(`${H}⟦---⟧\n${H}`, [
      { code: 'yaml-syntax', message: 'an agent config file holds exactly one YAML document' },
    ]);
  });

  test('yaml-warning: an unknown tag', () => {
    check(`${H}labels: { zone: ⟦!env⟧ ZONE }\n`, [{ code: 'yaml-warning', severity: 'warning' }]);
  });

  test('yaml-alias-limit', () => {
    const bomb =
      'a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n' +
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
    check(bomb.replace('*a', '⟦*a⟧'), ['yaml-alias-limit']);
  });
  test('yaml-alias-limit: a recursive alias', () => {
    check(`${H}labels: &l { self: ⟦*l⟧ }\n`, ['yaml-alias-limit']);
  });

  test('duplicate-key, pointing back at the first', () => {
    const r = check(`${H}slots: 2\n⟦slots⟧: 3\n`, ['duplicate-key']);
    expect(r.matched[0]!.related?.[0]?.range.start).toEqual({ line: 2, character: 0 });
  });

  test('empty-document', () => {
    for (const text of ['', '# only a comment\n', '~\n']) {
      expect(parseAgentConfig(text).diagnostics.map((d) => [d.code, d.message])).toEqual([
        [
          'empty-document',
          'the document is empty: an agent config needs apiVersion: orchion/v1 and kind: AgentConfig',
        ],
      ]);
    }
  });
});

describe('schema layer', () => {
  test('schema-required: apiVersion and kind, on the first key', () => {
    check('⟦⟦slots⟧⟧: 2\n', [
      { code: 'schema-required', message: 'the agent config is missing required property "apiVersion"' },
      { code: 'schema-required', message: 'the agent config is missing required property "kind"' },
    ]);
  });

  test('schema-required: a runtime without type, a vllm runtime without model', () => {
    check(`${H}runtimes:\n  - ⟦{}⟧\n  - ⟦type⟧: vllm\n`, [
      { code: 'schema-required', message: 'runtimes[0] is missing required property "type"' },
      { code: 'schema-required', message: 'runtime "vllm" is missing required property "model"' },
    ]);
  });

  test('schema-required: an existing Ollama server needs a url (or managed: true)', () => {
    check(`${H}runtimes:\n  - ⟦type⟧: ollama\n    keepAlive: 10m\n`, [
      { code: 'schema-required', message: 'runtime "ollama" needs "url"' },
    ]);
    check(`${H}runtimes:\n  - { ⟦type⟧: openai, name: lm }\n`, [
      { code: 'schema-required', message: 'runtime "lm" is missing required property "url"' },
    ]);
  });

  test('schema-type: a document that is not a mapping, values of the wrong type', () => {
    check('⟦- a⟧\n', [{ code: 'schema-type', message: 'an agent config must be a mapping, got a list' }]);
    check(`${H}slots: ⟦many⟧\nruntimes: ⟦embedded⟧\n`, [
      { code: 'schema-type', message: '"slots" must be an integer, got the string "many"' },
      { code: 'schema-type', message: '"runtimes" must be a list' },
    ]);
  });

  test('schema-additional-property: with suggestions, named after the runtime', () => {
    check(`${H}⟦label⟧: { a: b }\nruntimes:\n  - type: ollama\n    managed: true\n    ⟦gpus⟧: 1\n`, [
      { code: 'schema-additional-property', message: 'unknown property "label" (did you mean "labels"?)' },
      {
        code: 'schema-additional-property',
        message: 'unknown property "gpus" in runtime "ollama" (did you mean "gpu"?)',
      },
    ]);
  });

  test('schema-additional-property: keys never go in the file (apiKeyEnv names a variable)', () => {
    check(`${H}runtimes:\n  - { type: openai, url: "http://127.0.0.1:1234/v1", ⟦apiKey⟧: sk-1 }\n`, [
      { code: 'schema-additional-property', message: '(did you mean "apiKeyEnv"?)' },
    ]);
  });

  test('schema-enum: apiVersion, kind, runtime type', () => {
    check(`apiVersion: ⟦orchion/v2⟧\nkind: ⟦Pipeline⟧\nruntimes:\n  - type: ⟦olama⟧\n`, [
      { code: 'schema-enum', message: '"apiVersion" must be "orchion/v1"' },
      { code: 'schema-enum', message: '"kind" must be "AgentConfig"' },
      { code: 'schema-enum', message: 'got the string "olama" (did you mean "ollama"?)' },
    ]);
  });

  test('schema-pattern: orchestrator, runtime names, label keys, URLs, cache paths', () => {
    check(
      `${H}orchestrator: ⟦10.0.0.5⟧\nlabels: { ⟦"has space"⟧: x }\nruntimes:\n` +
        `  - { type: ollama, name: ⟦Ollama⟧, url: ⟦"ftp://x"⟧ }\n` +
        `  - { type: vllm, model: m, cachePath: ⟦relative/dir⟧ }\n`,
      [
        { code: 'schema-pattern', message: 'invalid orchestrator "10.0.0.5": must be host:port' },
        { code: 'schema-pattern', message: 'invalid name "has space" in "labels"' },
        { code: 'schema-pattern', message: 'must start with a lowercase letter' },
        { code: 'schema-pattern', message: 'must be an http:// or https:// URL' },
        { code: 'schema-pattern', message: 'must be an absolute path' },
      ],
    );
  });

  test('schema-range: slots, an empty runtime list, GPUs, ports', () => {
    check(`${H}slots: ⟦0⟧\nruntimes: ⟦[]⟧\n`, [
      { code: 'schema-range', message: '"slots" must be at least 1, got 0' },
      { code: 'schema-range', message: '"runtimes" must not be empty' },
    ]);
    check(`${H}runtimes:\n  - { type: vllm, model: m, gpu: ⟦-1⟧, port: ⟦70000⟧ }\n`, [
      { code: 'schema-range', message: '"gpu" must be at least 0' },
      { code: 'schema-range', message: '"port" must be at most 65535' },
    ]);
  });

  test('invalid-duration: keepAlive, healthTimeout, idleStop', () => {
    check(
      `${H}runtimes:\n  - { type: ollama, url: "http://127.0.0.1:11434", keepAlive: ⟦soon⟧ }\n` +
        `  - { type: vllm, model: m, healthTimeout: ⟦10x⟧, idleStop: ⟦0⟧ }\n` +
        `  - { type: ollama, name: o, url: "http://127.0.0.1:1", keepAlive: ⟦-2⟧ }\n`,
      [
        { code: 'invalid-duration', message: 'must be a duration such as 10m or 1h' },
        { code: 'invalid-duration', message: 'must be a duration such as 500ms' },
        { code: 'invalid-duration', message: '"idleStop" must be greater than 0' },
        { code: 'invalid-duration', message: '"keepAlive" must be at least -1' },
      ],
    );
  });
});

describe('runtime checks', () => {
  test('duplicate-runtime-name, with the first as related information', () => {
    const r = check(
      `${H}runtimes:\n  - { type: ollama, name: gpu, url: "http://a:1" }\n  - { type: openai, name: ⟦gpu⟧, url: "http://b:2" }\n`,
      [{ code: 'duplicate-runtime-name', message: 'two runtimes are named "gpu"' }],
    );
    expect(r.matched[0]!.related).toEqual([
      {
        message: '"gpu" is first used here',
        range: { start: { line: 3, character: 26 }, end: { line: 3, character: 29 } },
      },
    ]);
  });

  test('duplicate-runtime-name: embedded and echo are the names of those runtimes', () => {
    check(
      `${H}runtimes:\n  - { type: ollama, name: ⟦embedded⟧, url: "http://a:1" }\n  - { type: echo, ⟦name⟧: e }\n`,
      [
        { code: 'duplicate-runtime-name', message: 'the name "embedded" belongs to the embedded runtime' },
        { code: 'schema-additional-property', message: 'unknown property "name" in runtime "echo"' },
      ],
    );
  });

  test('default names never collide: they skip names written explicitly', () => {
    const r = parseAgentConfig(
      `${H}runtimes:\n  - { type: ollama, url: "http://a:1" }\n  - { type: ollama, name: ollama-2, url: "http://b:2" }\n` +
        `  - { type: ollama, url: "http://c:3" }\n`,
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.config!.runtimes!.map((x) => x.name)).toEqual(['ollama', 'ollama-2', 'ollama-3']);
  });

  test('duplicate-runtime: one embedded and one echo runtime per agent', () => {
    check(`${H}runtimes:\n  - type: embedded\n  - type: echo\n  - type: ⟦embedded⟧\n    modelsDir: /m\n`, [
      { code: 'duplicate-runtime', message: 'an agent runs at most one embedded runtime' },
    ]);
  });

  test('runtime-mode: managed-only properties on an existing server', () => {
    check(
      `${H}runtimes:\n  - type: ollama\n    url: http://127.0.0.1:11434\n    ⟦pull⟧: [llama3.2:1b]\n    ⟦image⟧: ollama/ollama\n`,
      [
        { code: 'runtime-mode', message: '"pull" applies only to a managed runtime: add "managed: true"' },
        { code: 'runtime-mode', message: '"image" applies only to a managed runtime' },
      ],
    );
  });

  test('runtime-mode: a url on a managed runtime; an unmanaged vllm', () => {
    check(
      `${H}runtimes:\n  - { type: ollama, managed: true, ⟦url⟧: "http://127.0.0.1:11434" }\n` +
        `  - { type: vllm, model: m, managed: ⟦false⟧ }\n`,
      [
        {
          code: 'runtime-mode',
          message: '"url" is for a server that runs already, but runtime "ollama" is managed',
        },
        { code: 'runtime-mode', message: 'use type: openai with its url' },
      ],
    );
  });

  test('runtime-mode is not guessed when managed is not a boolean', () => {
    check(`${H}runtimes:\n  - { type: ollama, managed: ⟦yes please⟧, pull: [a] }\n`, [
      { code: 'schema-type', message: '"managed" must be a boolean' },
    ]);
  });

  test('conflicting-properties: cacheVolume and cachePath', () => {
    const r = check(`${H}runtimes:\n  - { type: vllm, model: m, cacheVolume: hf, ⟦cachePath⟧: /srv/hf }\n`, [
      { code: 'conflicting-properties', message: 'both set where runtime "vllm" keeps models' },
    ]);
    expect(r.matched[0]!.related?.[0]?.message).toBe('"cacheVolume" is set here');
  });

  test('invalid-url: URLs that do not parse or carry a query', () => {
    check(
      `${H}runtimes:\n  - { type: openai, url: ⟦"http://:80/v1"⟧ }\n  - { type: ollama, url: ⟦"http://h:1/?x=1"⟧ }\n`,
      [
        { code: 'invalid-url', message: 'invalid url "http://:80/v1" in runtime "openai"' },
        { code: 'invalid-url', message: 'it must not have a query or a fragment' },
      ],
    );
  });

  test('env-not-set: an unset apiKeyEnv is an error, an unset passEnv a warning (only when env is given)', () => {
    const text = `${H}runtimes:\n  - { type: openai, name: lm, url: "http://127.0.0.1:1234/v1", apiKeyEnv: ⟦LM_KEY⟧ }\n  - { type: vllm, model: m, passEnv: [⟦HF_TOKEN⟧] }\n`;
    check(
      text,
      [
        {
          code: 'env-not-set',
          severity: 'error',
          message: 'environment variable LM_KEY (the API key of runtime "lm")',
        },
        {
          code: 'env-not-set',
          severity: 'warning',
          message: 'HF_TOKEN is not set: runtime "vllm" starts without it',
        },
      ],
      { env: {} },
    );
    const plain = fixture(text).text;
    expect(parseAgentConfig(plain).diagnostics).toEqual([]);
    expect(parseAgentConfig(plain, { env: { LM_KEY: 'k', HF_TOKEN: 't' } }).diagnostics).toEqual([]);
    const warned = parseAgentConfig(plain, { env: { LM_KEY: 'k' } });
    expect(warned.config).toBeDefined();
  });

  test('internal-error: an unexpected failure is a diagnostic, not an exception', () => {
    const hostile = {
      toString(): string {
        throw new Error('boom');
      },
    };
    expect(
      parseAgentConfig(hostile as unknown as string).diagnostics.map((d) => [d.code, d.message]),
    ).toEqual([['internal-error', 'internal error while checking the agent config: boom']]);
  });
});

describe('every agent config code', () => {
  const triggers: Partial<Record<AgentConfigCode, string>> = {
    'yaml-syntax': `${H}runtimes: [`,
    'yaml-warning': `${H}labels: { a: !x b }\n`,
    'duplicate-key': `${H}slots: 1\nslots: 2\n`,
    'empty-document': '',
    'schema-required': 'slots: 1\n',
    'schema-type': `${H}slots: x\n`,
    'schema-additional-property': `${H}extra: 1\n`,
    'schema-enum': `${H}runtimes: [{ type: x }]\n`,
    'schema-pattern': `${H}orchestrator: x\n`,
    'schema-range': `${H}slots: 0\n`,
    'invalid-duration': `${H}runtimes: [{ type: vllm, model: m, idleStop: x }]\n`,
    'duplicate-runtime-name': `${H}runtimes: [{ type: openai, name: a, url: "http://a:1" }, { type: ollama, name: a, url: "http://a:2" }]\n`,
    'duplicate-runtime': `${H}runtimes: [{ type: echo }, { type: echo }]\n`,
    'runtime-mode': `${H}runtimes: [{ type: ollama, url: "http://a:1", gpu: true }]\n`,
    'conflicting-properties': `${H}runtimes: [{ type: ollama, managed: true, cacheVolume: ab, cachePath: /c }]\n`,
    'invalid-url': `${H}runtimes: [{ type: openai, url: "http://:1" }]\n`,
    'env-not-set': `${H}runtimes: [{ type: openai, url: "http://a:1", apiKeyEnv: ORCHION_TEST_UNSET_VAR }]\n`,
  };
  const elsewhere = new Set<AgentConfigCode>(['yaml-alias-limit', 'schema-invalid', 'internal-error']);
  for (const code of AGENT_CONFIG_CODES) {
    if (elsewhere.has(code)) continue;
    test(code, () => {
      const text = triggers[code];
      expect(text, `no trigger for ${code}`).toBeDefined();
      expect(parseAgentConfig(text!, { env: {} }).diagnostics.map((d) => d.code)).toContain(code);
    });
  }

  test('the CLI line: FILE:LINE:COL: error: message [code]', () => {
    const [d] = parseAgentConfig(`${H}slots: 0\n`).diagnostics;
    expect(formatDiagnostic('agent.yaml', d!)).toBe(
      'agent.yaml:3:8: error: "slots" must be at least 1, got 0 [schema-range]',
    );
  });
});
