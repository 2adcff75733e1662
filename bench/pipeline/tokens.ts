// Part 2 of bench:pipeline: the embedded runtime's tokens/s through the whole stack vs node-llama-cpp called
// directly in this process, in interleaved rounds, with ratios paired by round and where a job's time goes.
import { join } from 'node:path';
import { TINY_MODEL_FILE, TINY_MODEL_NAME, writeTinyModel } from '../../agent/src/models/tiny-model';
import { pickFullLengthPrompt } from '../lib/tiny-prompt';
import { f, pct } from '../lib/format';
import { startCluster, stopCluster, submit, tempDir } from './cluster';
import { load, MAX_TOKENS, median, ROUNDS, spread } from './options';

interface Generation {
  text: string;
  tokens: number;
  ms: number;
  stopReason: string;
}

export async function tokensPart(): Promise<void> {
  console.log(
    `\n== Part 2: tokens/s, embedded runtime through the stack vs node-llama-cpp directly ` +
      `(${TINY_MODEL_NAME}, 1 thread, temperature 0, max_tokens ${MAX_TOKENS}, ${ROUNDS} rounds; ${load()})`,
  );
  const modelsDir = tempDir('orchion-bench-models-');
  const modelPath = join(modelsDir, TINY_MODEL_FILE);
  await writeTinyModel(modelPath);

  // (a) direct: node-llama-cpp in this process, set up as the embedded runtime's worker does.
  const { getLlama, LlamaCompletion, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 1, logLevel: LlamaLogLevel.warn });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({
    contextSize: Math.min(model.trainContextSize, 4096),
    threads: 1,
    sequences: 1,
  });
  const sequence = context.getSequence();
  const direct = async (prompt: string): Promise<Generation> => {
    const completion = new LlamaCompletion({ contextSequence: sequence });
    let tokens = 0;
    let streamed = '';
    try {
      const t0 = performance.now();
      const r = await completion.generateCompletionWithMeta(prompt, {
        temperature: 0,
        maxTokens: MAX_TOKENS,
        onTextChunk: (t) => (streamed += t),
        onToken: (t) => (tokens += t.length),
      });
      const ms = performance.now() - t0;
      if (streamed !== r.response) throw new Error('streamed text differs from the response');
      return { text: r.response, tokens, ms, stopReason: r.metadata.stopReason };
    } finally {
      completion.dispose();
    }
  };
  const { prompt, tokens: best } = await pickFullLengthPrompt(direct, MAX_TOKENS);
  console.log(`  prompt ${JSON.stringify(prompt)} (${best} tokens generated of max ${MAX_TOKENS})`);

  // (b) through the stack: one orchestrator, one agent with the embedded runtime on the same model.
  const c = await startCluster([['--runtime', 'embedded', '--models-dir', modelsDir, '--threads', '1']], {
    watch: true,
  });
  const pipeline =
    `apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: tokens }\nsteps:\n` +
    `  - id: gen\n    model: ${TINY_MODEL_NAME}\n    runtime: embedded\n    prompt: ${JSON.stringify(prompt)}\n` +
    `    options: { temperature: 0, max_tokens: ${MAX_TOKENS} }\n`;
  type StackRun = Generation & { wallMs: number; workerMs: number; phases: Record<string, number> };
  const stack = async (): Promise<StackRun> => {
    const t0Date = Date.now();
    const t0 = performance.now();
    const job = await submit(c, pipeline);
    const end = await c.watcher!.waitAll([job.id], 120_000);
    const view = await c.client.getJob(job.id);
    const step = view.stepDetails[0]!;
    if (view.state !== 'succeeded') throw new Error(`the job ${view.state}: ${step.error ?? view.error}`);
    const r = step.result as { completionTokens: number; durationMs: number; stopReason: string };
    // Where the wall time went, from the orchestrator's timestamps (ms resolution, same machine clock).
    const a = step.attempts[step.attempts.length - 1]!;
    const ms = (iso: string | null) => Date.parse(iso!);
    // The llama.cpp worker's own timing of the generation, from the attempt's log line (ms resolution).
    let workerMs = NaN;
    await c.client.streamJobLogs(job.id, (e) => {
      const m = /^generated \d+ tokens? in (\d+) ms/.exec(e.text);
      if (m) workerMs = Number(m[1]);
    });
    const phases = {
      'submit → job created': ms(view.createdAt) - t0Date,
      'created → placed on the agent': ms(a.startedAt) - ms(view.createdAt),
      'placed → result settled': ms(a.finishedAt) - ms(a.startedAt),
      "  of which the agent's durationMs": r.durationMs,
      '    of which in the llama worker': workerMs,
      'settled → job finished': ms(view.finishedAt) - ms(a.finishedAt),
      'job finished → seen on SSE': c.watcher!.finished.get(job.id)!.date - ms(view.finishedAt),
    };
    return {
      text: String(step.output),
      tokens: r.completionTokens,
      ms: r.durationMs,
      stopReason: r.stopReason,
      wallMs: end - t0,
      workerMs,
      phases,
    };
  };
  try {
    // Warm-up: the agent's worker loads the model on first use; both paths' first rounds run slower.
    for (let i = 0; i < 3; i++) {
      await stack();
      await direct(prompt);
    }
    const d: Generation[] = [];
    const s: StackRun[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) {
        d.push(await direct(prompt));
        s.push(await stack());
      } else {
        s.push(await stack());
        d.push(await direct(prompt));
      }
    }
    const rate = (g: Generation, ms = g.ms) => (g.tokens / ms) * 1000;
    const dRate = median(d.map((g) => rate(g)));
    const sRate = median(s.map((g) => rate(g)));
    const wRate = median(s.map((g) => rate(g, g.wallMs)));
    // Each round's stack figure over the direct one of the same round: robust to drifting machine load.
    const paired = median(s.map((g, i) => rate(g) / rate(d[i]!)));
    const pairedWall = median(s.map((g, i) => rate(g, g.wallMs) / rate(d[i]!)));
    const wkRate = median(s.map((g) => rate(g, g.workerMs)));
    const pairedWorker = median(s.map((g, i) => rate(g, g.workerMs) / rate(d[i]!)));
    const same = s.every((g, i) => g.text === d[i]!.text);
    // The spread of the paired ratios: single rounds swing with the machine's load.
    const spreadOf = (xs: number[]): string => {
      const q = spread(xs);
      return `median ${pct(q.median)}, middle half ${pct(q.p25)}–${pct(q.p75)}, all ${pct(q.min)}–${pct(q.max)}`;
    };
    const toks = (gs: Generation[]) =>
      [...new Set(gs.map((g) => `${g.tokens} (${g.stopReason})`))].join(', ');
    console.log(
      `  tokens generated            direct ${toks(d)}; stack ${toks(s)}; same text: ${same ? 'yes' : 'NO'}`,
    );
    console.log(
      `  direct node-llama-cpp       ${f(dRate)} tok/s   (median of ${ROUNDS}; ${f(median(d.map((g) => g.ms)), 1)} ms)`,
    );
    console.log(
      `  through the stack           ${f(sRate)} tok/s   (the step's completion_tokens / durationMs)   ratio ${pct(sRate / dRate)}, paired by round ${pct(paired)}   target >= 90 %`,
    );
    console.log(
      `  in the agent's llama worker ${f(wkRate)} tok/s   (its own timing, logged)   ratio ${pct(wkRate / dRate)}, paired by round ${pct(pairedWorker)}`,
    );
    console.log(
      `  wall clock, submit→finished ${f(wRate)} tok/s   (${f(median(s.map((g) => g.wallMs)), 1)} ms a job)   ratio ${pct(wRate / dRate)}, paired by round ${pct(pairedWall)}`,
    );
    console.log(
      `  paired ratios over ${ROUNDS} rounds\n` +
        `    stack / direct            ${spreadOf(s.map((g, i) => rate(g) / rate(d[i]!)))}\n` +
        `    worker / direct           ${spreadOf(s.map((g, i) => rate(g, g.workerMs) / rate(d[i]!)))}\n` +
        `    wall / direct             ${spreadOf(s.map((g, i) => rate(g, g.wallMs) / rate(d[i]!)))}`,
    );
    console.log(
      `  rounds (tok/s)              direct ${d.map((g) => f(rate(g))).join(' ')}\n` +
        `                              stack  ${s.map((g) => f(rate(g))).join(' ')}\n` +
        `                              wall   ${s.map((g) => f(rate(g, g.wallMs))).join(' ')}`,
    );
    console.log(`  a job's wall time, medians (ms): direct generation ${f(median(d.map((g) => g.ms)), 1)};`);
    for (const k of Object.keys(s[0]!.phases)) {
      console.log(`    ${k.padEnd(34)} ${f(median(s.map((g) => g.phases[k]!)), 1)}`);
    }
  } finally {
    await stopCluster(c);
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}
