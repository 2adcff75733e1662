// bench:lsp — the Orchion language server against yaml-language-server 1.25.0 (configured with the same JSON
// schema, schemas/pipeline.schema.json), both as real child processes over stdio, in the same run, on generated
// pipelines of 1,000, 5,000 and 50,000 lines:
//   - time to first diagnostics after didOpen (median of --rounds opens of a fresh URI);
//   - time to diagnostics after an edit (one character changed in a prompt);
//   - completion latency (p50/p99 over --completions requests at step-id, expression, key and model positions),
//     idle and right after an edit (typing: didChange then completion).
// yaml-language-server delays every validation by a fixed 200 ms (its `validationDelayMs`, not a setting):
// its figures are shown raw and without that delay; ratios use the latter (the conservative comparison). Ours
// runs with `validationDelayMs: 0` for the diagnostics figures (its default debounce is 150 ms on edits only).
// Usage: npm run bench:lsp -- [--sizes 1000,5000,50000] [--rounds 5] [--completions 200] [--skip-yaml-ls]
//        [--cpu-prof DIR] (a CPU profile of our server, written when it exits) [--verbose] (every measurement)
//        [--server PATH] (another build of our server, e.g. a copy of language-server/dist/server.js)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node.js';
import { f } from './lib/format';
import { cpuMs, flagReader, rssMiB } from './lib/process';

const args = process.argv.slice(2);
const flag = flagReader(args);
const SIZES = flag('sizes', '1000,5000,50000').split(',').map(Number);
const ROUNDS = Number(flag('rounds', '5'));
const COMPLETIONS = Number(flag('completions', '200'));
const SKIP_YAML_LS = args.includes('--skip-yaml-ls');
/** `--cpu-prof DIR`: our server writes a V8 CPU profile there when it exits. */
const CPU_PROF = flag('cpu-prof', '');
/** `--verbose`: every open's and edit's time, not only the medians. */
const VERBOSE = args.includes('--verbose');
const YAML_LS_DELAY_MS = 200;

const root = process.cwd();
/** `--server PATH`: another build of our server (a private copy, to compare two builds in turn). */
const OURS = resolve(root, flag('server', 'language-server/dist/server.js'));
const YAML_LS = join(root, 'node_modules/yaml-language-server/bin/yaml-language-server');
const SCHEMA = pathToFileURL(join(root, 'schemas/pipeline.schema.json')).href;

/** A valid pipeline of about `lines` lines: a chain of steps with needs, options and expressions. */
function generate(lines: number): { text: string; steps: number } {
  const out = [
    'apiVersion: orchion/v1',
    'kind: Pipeline',
    'metadata:',
    '  name: generated',
    'inputs:',
    '  topic: { type: string, default: clusters }',
    'defaults:',
    '  model: orchion-tiny',
    'steps:',
  ];
  let i = 0;
  while (out.length < lines - 2) {
    out.push(`  - id: s${i}`);
    out.push(i > 0 ? `    needs: [s${i - 1}]` : '    retries: 1');
    out.push('    model: orchion-tiny', '    options:', '      temperature: 0.2', '      max_tokens: 64');
    out.push('    prompt: |', `      Step ${i} about \${{ inputs.topic }}`);
    out.push(i > 0 ? `      Previous: \${{ steps.s${i - 1}.output }}` : '      First step.');
    i++;
  }
  out.push('outputs:', `  last: \${{ steps.s${i - 1}.output }}`);
  return { text: out.join('\n') + '\n', steps: i };
}

/** Line of step k's `id:` in a generated pipeline (9 header lines, 9 lines per step). */
const stepLine = (k: number): number => 9 + 9 * k;

interface Server {
  name: string;
  child: ChildProcess;
  rpc: ProtocolConnection;
  next(uri: string, version?: number): Promise<PublishDiagnosticsParams>;
  stop(): Promise<void>;
}

async function start(
  name: string,
  argv: string[],
  init: Record<string, unknown>,
  yamlSettings?: unknown,
): Promise<Server> {
  const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  const rpc = createProtocolConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const waiters: { uri: string; version?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  rpc.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    const i = waiters.findIndex(
      (w) =>
        w.uri === p.uri && (w.version === undefined || p.version === undefined || w.version === p.version),
    );
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(p);
  });
  // yaml-language-server pulls its settings and registers capabilities: answer like an editor would.
  rpc.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
    params.items.map((item) => (item.section === 'yaml' ? yamlSettings : null)),
  );
  rpc.onRequest('client/registerCapability', () => null);
  rpc.onRequest('window/workDoneProgress/create', () => null);
  rpc.onNotification('window/logMessage', () => undefined);
  rpc.onNotification('telemetry/event', () => undefined);
  rpc.listen();
  await rpc.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
      textDocument: {
        completion: { completionItem: { snippetSupport: true } },
        publishDiagnostics: { versionSupport: true },
      },
    },
    initializationOptions: init,
  });
  await rpc.sendNotification('initialized', {});
  if (yamlSettings)
    await rpc.sendNotification('workspace/didChangeConfiguration', { settings: { yaml: yamlSettings } });
  return {
    name,
    child,
    rpc,
    next: (uri, version) => new Promise((resolve) => waiters.push({ uri, version, resolve })),
    async stop() {
      await rpc.sendRequest('shutdown').catch(() => undefined);
      // Let it exit on its own (a --cpu-prof profile is written then); kill it if it does not within 2 s.
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await rpc.sendNotification('exit').catch(() => undefined);
      const timer = setTimeout(() => child.kill(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

let docs = 0;

/** Opens a fresh copy of the document; ms (wall, and CPU of the server process) until its first diagnostics. */
async function openOnce(
  s: Server,
  text: string,
): Promise<{ ms: number; cpu: number; uri: string; count: number }> {
  const uri = `file:///bench/doc${docs++}.orchion.yaml`;
  const c0 = cpuMs(s.child.pid!);
  const t0 = performance.now();
  const next = s.next(uri, 1);
  await s.rpc.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'yaml', version: 1, text },
  });
  const p = await next;
  return { ms: performance.now() - t0, cpu: cpuMs(s.child.pid!) - c0, uri, count: p.diagnostics.length };
}

async function close(s: Server, uri: string): Promise<void> {
  const cleared = s.next(uri);
  await s.rpc.sendNotification('textDocument/didClose', { textDocument: { uri } });
  await cleared;
}

/** Edits one character of a prompt; ms (wall, server CPU) until the diagnostics of the new version. */
async function editOnce(
  s: Server,
  uri: string,
  version: number,
  steps: number,
): Promise<{ ms: number; cpu: number }> {
  const line = stepLine(Math.floor(steps / 2)) + 7; // the `Step k about …` line
  const c0 = cpuMs(s.child.pid!);
  const t0 = performance.now();
  const next = s.next(uri, version);
  await s.rpc.sendNotification('textDocument/didChange', {
    textDocument: { uri, version },
    contentChanges: [
      {
        range: { start: { line, character: 6 }, end: { line, character: 10 } },
        text: version % 2 ? 'Step' : 'Stap',
      },
    ],
  });
  await next;
  return { ms: performance.now() - t0, cpu: cpuMs(s.child.pid!) - c0 };
}

/** Completion positions spread over the document: needs list, expression, key, model value. */
function positions(steps: number, n: number): { line: number; character: number }[] {
  const out = [];
  for (let i = 0; i < n; i++) {
    const k = 1 + Math.floor((((i * 7919) % 1000) / 1000) * (steps - 1));
    const base = stepLine(k);
    switch (i % 4) {
      case 0:
        out.push({ line: base + 1, character: 12 }); // needs: [|s…]
        break;
      case 1:
        out.push({ line: base + 8, character: 26 }); // Previous: ${{ steps.|s…
        break;
      case 2:
        out.push({ line: base + 2, character: 6 }); // mo|del:
        break;
      default:
        out.push({ line: base + 2, character: 11 }); // model: |orchion-tiny
    }
  }
  return out;
}

async function completionLatencies(
  s: Server,
  uri: string,
  steps: number,
  count: number,
  typing: { version: number } | undefined,
): Promise<number[]> {
  const out: number[] = [];
  for (const position of positions(steps, count)) {
    if (typing) {
      typing.version++;
      const line = stepLine(Math.floor(steps / 3)) + 7;
      await s.rpc.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: typing.version },
        contentChanges: [
          {
            range: { start: { line, character: 6 }, end: { line, character: 10 } },
            text: typing.version % 2 ? 'Step' : 'Stap',
          },
        ],
      });
    }
    const t0 = performance.now();
    await s.rpc.sendRequest('textDocument/completion', { textDocument: { uri }, position });
    out.push(performance.now() - t0);
  }
  return out;
}

interface Row {
  size: number;
  open: number;
  edit: number;
  /** CPU ms of the server process (10 ms ticks), medians. */
  openCpu: number;
  editCpu: number;
  completion: number[];
  typing: number[];
  diagnostics: number;
}

interface Plan {
  completions: number;
  typing: boolean;
}

async function measure(s: Server, size: number, delay: number, plan: Plan): Promise<Row> {
  const { text, steps } = generate(size);
  const rounds = size >= 50_000 ? Math.max(3, Math.ceil(ROUNDS / 2)) : ROUNDS;
  const opens: number[] = [];
  const openCpus: number[] = [];
  let diagnostics = 0;
  for (let r = 0; r < rounds; r++) {
    const o = await openOnce(s, text);
    opens.push(o.ms - delay);
    openCpus.push(o.cpu);
    diagnostics = o.count;
    if (r < rounds - 1) await close(s, o.uri);
    else {
      const edits: number[] = [];
      const editCpus: number[] = [];
      for (let v = 2; v < 2 + rounds; v++) {
        const e = await editOnce(s, o.uri, v, steps);
        edits.push(e.ms - delay);
        editCpus.push(e.cpu);
      }
      const completion = await completionLatencies(s, o.uri, steps, plan.completions, undefined);
      const typing = plan.typing
        ? await completionLatencies(s, o.uri, steps, plan.completions, { version: 1 + rounds })
        : [];
      await close(s, o.uri);
      if (VERBOSE)
        console.log(
          `  ${s.name} ${size}: opens ${opens.map((x) => x.toFixed(1)).join(' ')} (cpu ${openCpus.join(' ')}); edits ${edits.map((x) => x.toFixed(1)).join(' ')}`,
        );
      return {
        size,
        open: median(opens),
        edit: median(edits),
        openCpu: median(openCpus),
        editCpu: median(editCpus),
        completion,
        typing,
        diagnostics,
      };
    }
  }
  throw new Error('unreachable');
}

/**
 * Waits until none of the servers uses CPU (start-up work such as our warm-up, or the garbage collection after a
 * measurement): two 200 ms windows in a row with at most one 10 ms tick each, at most 15 s. Otherwise one
 * server's start-up would run during another's first measurements (three servers share the machine's cores).
 */
async function settle(servers: Server[]): Promise<void> {
  const deadline = performance.now() + 15_000;
  let last = servers.map((s) => cpuMs(s.child.pid!));
  let quiet = 0;
  while (quiet < 2 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = servers.map((s) => cpuMs(s.child.pid!));
    quiet = now.some((c, i) => c - last[i]! > 10) ? 0 : quiet + 1;
    last = now;
  }
}

async function sanity(s: Server): Promise<number> {
  // A broken document: the server must report schema problems, or the comparison means nothing.
  const broken =
    'apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: x }\nsteps:\n  - id: a\n    promt: hi\n    retries: 99\n';
  const o = await openOnce(s, broken);
  await close(s, o.uri);
  return o.count;
}

async function main(): Promise<void> {
  if (!existsSync(OURS)) throw new Error(`${OURS} is missing: run node scripts/build.mjs`);
  console.log(
    `bench:lsp — node ${process.version}, sizes ${SIZES.join(', ')} lines, ${ROUNDS} rounds, ${COMPLETIONS} completions`,
  );
  const profile = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  const ours = await start('orchion', [...profile, OURS, '--stdio'], { validationDelayMs: 0 });
  // Typing: the default debounce (150 ms), so completion between keystrokes does not wait for a parse.
  const typingServer = await start('orchion (default debounce)', [OURS, '--stdio'], {});
  const yamlLs = SKIP_YAML_LS
    ? undefined
    : await start(
        'yaml-language-server',
        [YAML_LS, '--stdio'],
        {},
        {
          validate: true,
          completion: true,
          hover: true,
          schemas: { [SCHEMA]: ['*.orchion.yaml'] },
          schemaStore: { enable: false },
        },
      );
  const all = [ours, typingServer, ...(yamlLs ? [yamlLs] : [])];
  await settle(all);
  console.log(
    `sanity (a broken document): orchion ${await sanity(ours)} diagnostics` +
      (yamlLs ? `, yaml-language-server ${await sanity(yamlLs)}` : ''),
  );

  const results: { size: number; ours: Row; typing: Row; yaml?: Row; cpuOurs: number; rss: number }[] = [];
  for (const size of SIZES) {
    await settle(all);
    const cpu0 = cpuMs(ours.child.pid!);
    const row = await measure(ours, size, 0, { completions: COMPLETIONS, typing: false });
    await settle(all); // the collection after the last request counts too
    const cpuOurs = cpuMs(ours.child.pid!) - cpu0;
    const typing = await measure(typingServer, size, 0, { completions: COMPLETIONS, typing: true });
    // yaml-language-server takes seconds per completion on large files: fewer requests there.
    const yamlCompletions =
      size >= 50_000 ? Math.min(COMPLETIONS, 12) : size >= 5_000 ? Math.min(COMPLETIONS, 60) : COMPLETIONS;
    if (yamlLs) await settle(all);
    const yaml = yamlLs
      ? await measure(yamlLs, size, YAML_LS_DELAY_MS, { completions: yamlCompletions, typing: false })
      : undefined;
    results.push({
      size,
      ours: row,
      typing,
      ...(yaml ? { yaml } : {}),
      cpuOurs,
      rss: rssMiB(ours.child.pid!),
    });
    console.log(`  ${f(size)} lines done`);
  }

  console.log('\nTime to diagnostics (ms, median; yaml-language-server without its fixed 200 ms delay)');
  console.log(
    '| lines | orchion: open | orchion: edit | yaml-ls: open | yaml-ls: edit | × faster (open / edit) |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    const y = r.yaml;
    console.log(
      `| ${f(r.size)} | ${f(r.ours.open, 1)} | ${f(r.ours.edit, 1)} | ${y ? f(y.open, 1) : '—'} | ${y ? f(y.edit, 1) : '—'} | ${
        y ? `${f(y.open / r.ours.open, 1)}× / ${f(y.edit / r.ours.edit, 1)}×` : '—'
      } |`,
    );
  }
  console.log(
    '\nCompletion latency (ms, client round trip over stdio; yaml-ls: 60 requests at 5,000 lines, 12 at 50,000)',
  );
  console.log('| lines | orchion p50 / p99 | orchion while typing p50 / p99 | yaml-ls p50 / p99 |');
  console.log('|---|---|---|---|');
  for (const r of results) {
    const c = r.ours.completion;
    const t = r.typing.typing;
    const y = r.yaml?.completion;
    console.log(
      `| ${f(r.size)} | ${f(quantile(c, 0.5), 2)} / ${f(quantile(c, 0.99), 2)} | ${f(quantile(t, 0.5), 2)} / ${f(quantile(t, 0.99), 2)} | ${
        y ? `${f(quantile(y, 0.5), 2)} / ${f(quantile(y, 0.99), 2)}` : '—'
      } |`,
    );
  }
  console.log(
    '\nServer CPU per validation (ms of the server process, /proc ticks of 10 ms, median): robust to a busy machine',
  );
  console.log(
    '| lines | orchion: open | orchion: edit | yaml-ls: open | yaml-ls: edit | × less CPU (open / edit) |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    const y = r.yaml;
    const ratio = (a: number, b: number): string => (b > 0 ? `${f(a / b, 1)}×` : '—');
    console.log(
      `| ${f(r.size)} | ${f(r.ours.openCpu)} | ${f(r.ours.editCpu)} | ${y ? f(y.openCpu) : '—'} | ${y ? f(y.editCpu) : '—'} | ${
        y ? `${ratio(y.openCpu, r.ours.openCpu)} / ${ratio(y.editCpu, r.ours.editCpu)}` : '—'
      } |`,
    );
  }
  console.log(
    `\nload average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (${availableParallelism()} CPUs)`,
  );
  console.log(
    `\norchion server: RSS ${f(results[results.length - 1]?.rss ?? 0)} MiB after the run; CPU per size: ${results.map((r) => `${f(r.size)}: ${f(r.cpuOurs)} ms`).join(', ')}`,
  );
  await ours.stop();
  await typingServer.stop();
  await yamlLs?.stop();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
