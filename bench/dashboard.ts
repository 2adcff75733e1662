// bench:dashboard — the dashboard's data layer and bundle, measured in one process against baselines run in the
// same process: ingesting /api/v1/events frames into the store (vs only JSON.parse of the same frames), a job's
// log into the LogBuffer (vs pushing the parsed entries into an array) and searching it (vs indexOf over the
// joined text); plus the built bundle's sizes (raw and gzip -9). Build first (`npm run build`).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { JobSummary, LogEntry, NodeView, StepView } from '@orchion/api';
import { parseEvent } from '../webview-ui/src/controller';
import { LogBuffer } from '../webview-ui/src/data/log-buffer';
import { DashboardStore } from '../webview-ui/src/data/store';
import { flagReader } from './lib/process';
import { f } from './lib/format';

const flag = flagReader(process.argv.slice(2));
const NODES = Number(flag('nodes', '1000'));
const EVENTS = Number(flag('events', '50000'));
const TOKENS = Number(flag('tokens', '200000'));
const ROUNDS = Number(flag('rounds', '5'));
const root = fileURLToPath(new URL('../../', import.meta.url)); // bench/dist/ → the repository

function nodeView(i: number, availGiB: number): NodeView {
  return {
    id: `node-${i}`,
    hostname: `host-${i}`,
    labels: { zone: `z${i % 4}` },
    agentVersion: '0.1.0',
    state: 'ready',
    stateReason: 'registered',
    capabilities: {
      cpu: { manufacturer: 'AMD', brand: 'EPYC', cores: 32, physicalCores: 16, speedGhz: 3 },
      memory: { totalBytes: 256 * 2 ** 30, freeBytes: 0, availableBytes: availGiB * 2 ** 30 },
      os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6.1', arch: 'x64' },
      gpus: [
        {
          index: 0,
          vendor: 'NVIDIA',
          model: 'H100',
          vramTotalBytes: 80 * 2 ** 30,
          vramUsedBytes: availGiB * 2 ** 28,
          utilizationPercent: availGiB % 100,
          bus: '',
        },
      ],
      containerEngine: null,
    },
    models: [],
    runtimes: ['embedded'],
    slots: 4,
    heartbeatIntervalMs: 5000,
    address: '10.0.0.1:1',
    firstRegisteredAt: new Date(0).toISOString(),
    registeredAt: new Date(0).toISOString(),
    registrations: 1,
    lastHeartbeatAt: null,
    stateChangedAt: new Date(0).toISOString(),
  };
}

/** Frames as the orchestrator sends them: a mix of node updates, job changes and step updates. */
function eventFrames(): { event: string; data: string; id: string }[] {
  const frames: { event: string; data: string; id: string }[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const time = new Date(1_700_000_000_000 + i * 10).toISOString();
    const k = i % 4;
    let event: string;
    let data: unknown;
    if (k < 2) {
      event = 'node.updated';
      data = nodeView(i % NODES, 10 + (i % 200));
    } else if (k === 2) {
      event = i % 8 === 2 ? 'job.created' : 'job.updated';
      const job: JobSummary = {
        id: `job-${Math.floor(i / 8)}`,
        name: 'bench',
        state: i % 8 === 2 ? 'queued' : 'running',
        createdAt: time,
        startedAt: time,
        finishedAt: null,
        error: null,
        steps: { running: 1 },
      };
      data = job;
    } else {
      event = 'step.updated';
      const step: StepView = {
        id: `s${i % 3}`,
        kind: 'completion',
        state: 'running',
        model: 'm',
        runtime: null,
        needs: [],
        output: null,
        result: null,
        error: null,
        waitingFor: null,
        startedAt: time,
        finishedAt: null,
        attempts: [
          {
            id: `a${i}`,
            attempt: 1,
            state: 'running',
            nodeId: `node-${i % NODES}`,
            notBefore: null,
            errorCode: null,
            error: null,
            tokens: 0,
            queuedAt: time,
            startedAt: time,
            finishedAt: null,
          },
        ],
      };
      data = { jobId: `job-${Math.floor(i / 8)}`, step };
    }
    frames.push({ event, id: String(i + 1), data: JSON.stringify({ time, data }) });
  }
  return frames;
}

function logEntries(): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = 1; i <= TOKENS; i++) {
    const log = i % 500 === 0;
    out.push({
      id: i,
      time: new Date(1_700_000_000_000 + i).toISOString(),
      stepId: `s${Math.floor(i / 50_000)}`,
      attemptId: `a${Math.floor(i / 50_000)}`,
      kind: log ? 'log' : 'token',
      level: log ? 'info' : null,
      text: log ? `progress line ${i}` : ` w${i % 997}`,
    });
  }
  return out;
}

const time = (fn: () => void): number => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const frames = eventFrames();
const entries = logEntries();
const results = {
  parse: [] as number[],
  ingest: [] as number[],
  push: [] as number[],
  append: [] as number[],
  indexOf: [] as number[],
  search: [] as number[],
};
let matches = 0;
for (let r = 0; r < ROUNDS; r++) {
  // Interleaved: baseline, then the measured work, each round.
  results.parse.push(time(() => frames.forEach((fr) => JSON.parse(fr.data))));
  results.ingest.push(
    time(() => {
      const store = new DashboardStore();
      store.setSnapshot([], [], null);
      for (const fr of frames) store.apply(parseEvent(fr.event, fr.data, fr.id)!);
    }),
  );
  const arr: LogEntry[] = [];
  results.push.push(time(() => entries.forEach((e) => arr.push(e))));
  const buffer = new LogBuffer();
  results.append.push(time(() => buffer.append(entries)));
  const text = entries
    .map((e) => e.text)
    .join('\n')
    .toLowerCase();
  results.indexOf.push(
    time(() => {
      let n = 0;
      for (let i = text.indexOf('w42 '); i >= 0; i = text.indexOf('w42 ', i + 1)) n++;
      matches = n;
    }),
  );
  results.search.push(time(() => (matches = buffer.search('w42 ').length)));
}

const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)])) as Record<
  keyof typeof results,
  number
>;
console.log(`dashboard data layer (median of ${ROUNDS} interleaved rounds)`);
console.log(
  `  events: ${f(EVENTS)} frames (${NODES} nodes): store ingest ${f(m.ingest, 1)} ms = ${f((EVENTS / m.ingest) * 1000)} events/s; ` +
    `JSON.parse alone ${f(m.parse, 1)} ms; ratio ${f(m.ingest / m.parse, 2)}×`,
);
console.log(
  `  log: ${f(TOKENS)} entries: LogBuffer.append ${f(m.append, 1)} ms = ${f((TOKENS / m.append) * 1000)} entries/s; ` +
    `array push ${f(m.push, 1)} ms; ratio ${f(m.append / m.push, 1)}×`,
);
console.log(
  `  search: ${matches} matches: LogBuffer.search ${f(m.search, 2)} ms; indexOf over the joined text ${f(m.indexOf, 2)} ms; ratio ${f(m.search / m.indexOf, 2)}×`,
);
const dist = join(root, 'webview-ui/dist');
console.log('dashboard bundle (webview-ui/dist)');
for (const file of readdirSync(dist)) {
  const body = readFileSync(join(dist, file));
  console.log(
    `  ${file}: ${f(body.length / 1024, 1)} KiB, gzip -9 ${f(gzipSync(body, { level: 9 }).length / 1024, 1)} KiB`,
  );
}
