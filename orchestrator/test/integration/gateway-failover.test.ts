// The gateway under failures, with the official `openai` client against a real orchestrator and real agents on the
// embedded runtime (llama.cpp, the generated tiny model, ~1,000 tokens/s here, so a 3,000-token answer streams for
// seconds): admission (queue full → 429), a client that goes away (the node stops generating: seen in the node's
// data-plane counters and log), and an agent killed with SIGKILL mid-stream (the stream completes on another
// agent, continuous).
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayCluster, type GatewayAgent, type GatewayCluster } from './gateway-harness';
import { waitFor } from './harness';

const MODEL = 'orchion-tiny';
const LONG = 3000;

async function metric(cluster: GatewayCluster, line: RegExp): Promise<number> {
  const res = await fetch(`${cluster.orch.httpUrl}/metrics`, {
    headers: { authorization: `Bearer ${cluster.orch.adminToken}` },
  });
  const m = line.exec(await res.text());
  return m ? Number(m[1]) : 0;
}

/** The agent running a generation now. */
async function serving(agents: GatewayAgent[]): Promise<GatewayAgent> {
  return waitFor('the serving agent', async () => {
    for (const a of agents) {
      if (a.child.exitCode !== null || a.child.signalCode !== null) continue;
      if ((await a.status()).active > 0) return a;
    }
    return undefined;
  });
}

describe('gateway: admission, disconnects and failover', () => {
  let cluster: GatewayCluster;
  let admin: OpenAI;

  beforeAll(async () => {
    cluster = await startGatewayCluster({ agents: 2, orchestratorExtra: ['--gateway-queue-depth', '1'] });
    admin = new OpenAI({ baseURL: cluster.baseURL, apiKey: cluster.orch.adminToken, maxRetries: 0 });
  });
  afterAll(() => cluster?.stop());

  it('queue full → 429 with Retry-After; the queued request runs when a node frees up', async () => {
    const busy = [new AbortController(), new AbortController()];
    // Two long streams take the two nodes' single slots.
    const streams = await Promise.all(
      busy.map((c) =>
        admin.completions.create(
          { model: MODEL, prompt: 'Busy', max_tokens: LONG, stream: true },
          { signal: c.signal },
        ),
      ),
    );
    const drains = streams.map(async (s) => {
      try {
        for await (const _ of s) void _;
      } catch {
        // aborted below
      }
    });
    await waitFor('both nodes busy', async () => {
      const st = await Promise.all(cluster.agents.map((a) => a.status()));
      return st.every((s) => s.active === 1);
    });
    // A third waits in the model's queue (depth 1)...
    const queued = admin.completions.create({ model: MODEL, prompt: 'Queued', max_tokens: 4 });
    await waitFor('one queued request', async () =>
      (await metric(cluster, /orchion_gateway_queued\{model="orchion-tiny"\} (\d+)/)) === 1
        ? true
        : undefined,
    );
    // ...and a fourth is refused at once.
    const refused = (await admin.completions
      .create({ model: MODEL, prompt: 'Refused', max_tokens: 4 })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused.code).toBe('queue_full');
    expect(refused.message).toContain('1 requests are already waiting');
    expect(Number(refused.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await metric(cluster, /orchion_gateway_rejections_total\{reason="queue_full"\} (\d+)/)).toBe(1);
    busy[0]!.abort();
    const r = await queued;
    expect(r.usage!.completion_tokens).toBe(4);
    busy[1]!.abort();
    await Promise.all(drains);
  });

  it('a client that disconnects mid-stream stops the generation on the node', async () => {
    const before = await Promise.all(cluster.agents.map((a) => a.status()));
    const controller = new AbortController();
    const stream = await admin.chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'Go on' }], max_tokens: LONG, stream: true },
      { signal: controller.signal },
    );
    let chunks = 0;
    const node = await serving(cluster.agents);
    try {
      for await (const _ of stream) {
        void _;
        if (++chunks === 10) controller.abort();
      }
    } catch {
      // the client's own abort
    }
    const i = cluster.agents.indexOf(node);
    // The node stops before the 3,000 tokens are done: aborted, not completed, in its own counters.
    const after = await waitFor('the node to stop generating', async () => {
      const s = await node.status();
      return s.active === 0 && s.aborted > before[i]!.aborted ? s : undefined;
    });
    expect(after.completed).toBe(before[i]!.completed);
    expect(node.output()).toContain('data plane: generation stopped, the caller went away');
  });

  it('a frozen agent (SIGSTOP) mid-stream: the stream goes on elsewhere once its node is stale', async () => {
    const live = cluster.agents.filter((a) => a.child.exitCode === null && a.child.signalCode === null);
    if (live.length < 2) await cluster.addAgent();
    const agents = cluster.agents.filter((a) => a.child.exitCode === null && a.child.signalCode === null);
    const stream = await admin.completions.create({
      model: MODEL,
      prompt: 'Frozen',
      max_tokens: LONG,
      stream: true,
    });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let frozen: GatewayAgent | undefined;
    try {
      for await (const c of stream) {
        text += c.choices[0]?.text ?? '';
        finish = c.choices[0]?.finish_reason ?? finish;
        if (++chunks === 20) {
          frozen = await serving(agents);
          frozen.child.kill('SIGSTOP');
        }
      }
    } finally {
      frozen?.child.kill('SIGCONT');
    }
    expect(frozen).toBeDefined();
    expect(finish).toBe('length');
    expect(text.length).toBeGreaterThanOrEqual(LONG);
    const survivor = agents.find((a) => a !== frozen)!;
    expect((await survivor.status()).completed).toBeGreaterThan(0);
    // Resumed, the frozen node finds its request gone and stops that generation.
    await waitFor('the resumed node to drop the cut generation', async () => {
      const s = await frozen!.status();
      return s.active === 0 ? s : undefined;
    });
  });

  for (const kind of ['chat', 'completion'] as const) {
    it(`kill -9 of the serving agent mid-stream (${kind}): the stream completes on another agent, continuous`, async () => {
      const live = cluster.agents.filter((a) => a.child.exitCode === null && a.child.signalCode === null);
      if (live.length < 2) await cluster.addAgent();
      const agents = cluster.agents.filter((a) => a.child.exitCode === null && a.child.signalCode === null);
      const failoversBefore = await metric(
        cluster,
        /orchion_gateway_failovers_total\{mid_stream="true"\} (\d+)/,
      );
      const request =
        kind === 'chat'
          ? { messages: [{ role: 'user' as const, content: 'Write on' }] }
          : { prompt: 'Once upon a time' };
      // The same request, uninterrupted, as the reference transcript (greedy decoding: deterministic).
      const reference =
        kind === 'chat'
          ? (
              (await admin.chat.completions.create({
                model: MODEL,
                max_tokens: LONG,
                ...request,
              } as never)) as OpenAI.ChatCompletion
            ).choices[0]!.message.content!
          : (
              (await admin.completions.create({
                model: MODEL,
                max_tokens: LONG,
                ...request,
              } as never)) as OpenAI.Completion
            ).choices[0]!.text;
      const stream = (await (kind === 'chat'
        ? admin.chat.completions.create({
            model: MODEL,
            max_tokens: LONG,
            stream: true,
            stream_options: { include_usage: true },
            ...(request as { messages: OpenAI.ChatCompletionMessageParam[] }),
          })
        : admin.completions.create({
            model: MODEL,
            max_tokens: LONG,
            stream: true,
            stream_options: { include_usage: true },
            prompt: (request as { prompt: string }).prompt,
          }))) as AsyncIterable<OpenAI.ChatCompletionChunk | OpenAI.Completion>;
      let text = '';
      let beforeKill = '';
      let chunks = 0;
      let finish: string | null = null;
      let usage: OpenAI.CompletionUsage | undefined;
      let killed: GatewayAgent | undefined;
      const ids = new Set<string>();
      for await (const c of stream) {
        ids.add(c.id);
        const choice = c.choices[0] as
          { delta?: { content?: string | null }; text?: string; finish_reason: string | null } | undefined;
        if (choice) {
          text += choice.delta?.content ?? choice.text ?? '';
          finish = choice.finish_reason ?? finish;
        }
        if (c.usage) usage = c.usage;
        if (++chunks === 20) {
          killed = await serving(agents);
          beforeKill = text;
          killed.child.kill('SIGKILL');
        }
      }
      expect(killed).toBeDefined();
      expect(await killed!.exited).toBe('SIGKILL');
      // One uninterrupted stream for the client: one id, a finish reason, usage, no error.
      expect(ids.size).toBe(1);
      expect(finish).toBe('length');
      expect(usage!.completion_tokens).toBeGreaterThanOrEqual(LONG);
      // Continuous: what came before the kill is the start of the transcript, and the transcript matches the
      // uninterrupted answer (the continuation may run a little longer: see docs/gateway.md on max_tokens).
      expect(beforeKill.length).toBeGreaterThan(0);
      expect(text.startsWith(beforeKill)).toBe(true);
      expect(text.length).toBeGreaterThan(beforeKill.length);
      expect(text.length).toBeGreaterThanOrEqual(reference.length);
      expect(text.slice(0, reference.length)).toBe(reference);
      // Another agent finished it, and the gateway counted a mid-stream failover.
      const survivor = agents.find((a) => a !== killed)!;
      expect((await survivor.status()).completed).toBeGreaterThan(0);
      expect(await metric(cluster, /orchion_gateway_failovers_total\{mid_stream="true"\} (\d+)/)).toBe(
        failoversBefore + 1,
      );
    });
  }
});
