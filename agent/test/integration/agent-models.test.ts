/**
 * A real agent process (the built CLI) against a tiny gRPC server in this test that plays the orchestrator: the
 * hello carries the models dir's models, runtimes and slots; an assigned task runs real llama.cpp inference and
 * comes back as STARTED, token outputs and SUCCEEDED; a model file added later is announced; a malformed GGUF
 * is listed with its error while the agent stays up; a task's final update survives a broken session.
 */
import * as grpc from '@grpc/grpc-js';
import {
  loadOrchionProto,
  type AgentMessage__Output,
  type AssignTask,
  type OrchestratorMessage,
} from '@orchion/proto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  startAgentProc,
  tempDir,
  waitFor,
  type Proc,
} from '../../../orchestrator/test/integration/harness';
import { buildTinyModel, encodeGguf } from '../../src/models/index.js';

const JOIN_TOKEN = 'test-join-token';

type SessionCall = grpc.ServerDuplexStream<AgentMessage__Output, OrchestratorMessage>;

interface Session {
  call: SessionCall;
  messages: AgentMessage__Output[];
  ended: boolean;
}

/** Plays the orchestrator: answers every hello with a welcome and records what each session receives. */
class FakeOrchestrator {
  readonly sessions: Session[] = [];
  private readonly server = new grpc.Server();
  port = 0;

  async start(): Promise<void> {
    const { AgentService } = loadOrchionProto().orchion.v1;
    this.server.addService(AgentService.service, {
      Session: (call: SessionCall) => {
        if (call.metadata.get('authorization')[0] !== `Bearer ${JOIN_TOKEN}`) {
          call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'bad token' });
          return;
        }
        const session: Session = { call, messages: [], ended: false };
        this.sessions.push(session);
        call.on('data', (msg: AgentMessage__Output) => {
          session.messages.push(msg);
          if (msg.payload === 'hello') {
            call.write({
              welcome: { nodeId: msg.hello!.nodeId, orchestratorVersion: 'test', registrations: 1 },
            });
          }
        });
        const end = () => {
          session.ended = true;
        };
        call.on('end', () => {
          end();
          call.end();
        });
        call.on('cancelled', end);
        call.on('error', end);
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The newest session whose hello came from `nodeDir`'s agent (sessions are told apart by hostname). */
  latest(hostname: string): Session | undefined {
    return this.sessions.filter((s) => s.messages[0]?.hello?.hostname === hostname).at(-1);
  }

  assign(session: Session, task: AssignTask): void {
    session.call.write({ assign: task });
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

const updates = (s: Session, attemptId: string) =>
  s.messages.filter((m) => m.task?.attemptId === attemptId).map((m) => m.task!);
const finalOf = (s: Session, attemptId: string) =>
  updates(s, attemptId).find((u) => u.state !== 'TASK_STATE_STARTED');
const tokensOf = (s: Session, attemptId: string) =>
  s.messages
    .filter((m) => m.output?.attemptId === attemptId)
    .flatMap((m) => m.output!.chunks)
    .filter((c) => c.kind === 'TOKEN')
    .map((c) => c.text)
    .join('');

describe('agent process: models, hello and real inference over the session stream', () => {
  const orch = new FakeOrchestrator();
  const procs: Proc[] = [];
  const dirs: string[] = [];

  const startAgent = (hostname: string, dataDir: string, extra: string[] = []): Proc => {
    const p = startAgentProc({
      orchestrator: orch.address,
      joinToken: JOIN_TOKEN,
      dataDir,
      extra: ['--hostname', hostname, ...extra],
    });
    procs.push(p);
    return p;
  };

  const session = (hostname: string) =>
    waitFor(`a session of ${hostname}`, () => orch.latest(hostname), 30_000);

  beforeAll(async () => {
    await orch.start();
  });

  afterAll(() => {
    cleanup(procs, dirs);
    orch.stop();
  });

  it('announces the tiny model, runs a prompt through llama.cpp, and announces a model file added later', async () => {
    const dataDir = tempDir('orchion-agent-models-');
    dirs.push(dataDir);
    const agent = startAgent('models-a', dataDir);
    const s = await session('models-a');
    const hello = s.messages[0]!.hello!;
    expect(hello.runtimes).toEqual(['embedded']);
    expect(hello.slots).toBe(1);
    expect(hello.runningAttempts).toEqual([]);
    expect(hello.models).toEqual([
      {
        name: 'orchion-tiny',
        runtime: 'embedded',
        sizeBytes: expect.any(Number),
        architecture: 'llama',
        contextLength: 256,
        embeddingLength: 64,
        loaded: false,
        error: '',
      },
    ]);
    expect(agent.output()).toMatch(/TINY RANDOM-WEIGHT model that produces gibberish/);

    orch.assign(s, {
      attemptId: 'att-1',
      jobId: 'job-1',
      stepId: 'step-1',
      attempt: 1,
      model: 'orchion-tiny',
      prompt: 'The quick brown fox',
      options: { maxTokens: 16 },
    });
    const final = await waitFor('the final update', () => finalOf(s, 'att-1'), 30_000);
    const states = updates(s, 'att-1').map((u) => u.state);
    expect(states).toEqual(['TASK_STATE_STARTED', 'TASK_STATE_SUCCEEDED']);
    const result = final.result!;
    expect(['maxTokens', 'eogToken']).toContain(result.stopReason);
    expect(result.completionTokens).toBeGreaterThan(0);
    expect(result.completionTokens).toBeLessThanOrEqual(16);
    expect(result.text.length).toBeGreaterThan(0);
    expect(tokensOf(s, 'att-1')).toBe(result.text);
    // Outputs come between STARTED and the final update.
    const idx = (pred: (m: AgentMessage__Output) => boolean) => s.messages.findIndex(pred);
    const started = idx((m) => m.task?.state === 'TASK_STATE_STARTED');
    const firstOutput = idx((m) => m.output?.attemptId === 'att-1');
    const lastOutput = s.messages.findLastIndex((m) => m.output?.attemptId === 'att-1');
    expect(started).toBeLessThan(firstOutput);
    expect(lastOutput).toBeLessThan(idx((m) => m.task?.state === 'TASK_STATE_SUCCEEDED'));
    const logs = s.messages
      .filter((m) => m.output?.attemptId === 'att-1')
      .flatMap((m) => m.output!.chunks)
      .filter((c) => c.kind === 'LOG')
      .map((c) => c.text);
    expect(logs[0]).toMatch(/^loading model orchion-tiny/);
    expect(logs.at(-1)).toMatch(/^generated \d+ tokens? in \d+ ms/);

    // The model is loaded now, and a second file appears: both reach the orchestrator as CapabilityUpdate.models.
    await copyFile(join(dataDir, 'models', 'orchion-tiny.gguf'), join(dataDir, 'models', 'second.gguf'));
    const update = await waitFor(
      'a model-list update with the new file',
      () =>
        s.messages.find((m) => m.capabilities?.models?.models.some((x) => x.name === 'second'))?.capabilities
          ?.models?.models,
      10_000,
    );
    expect(update.map((m) => [m.name, m.loaded])).toEqual([
      ['orchion-tiny', true],
      ['second', false],
    ]);
  });

  it('lists a malformed GGUF with its error, refuses tasks for it, and stays up', async () => {
    const dataDir = tempDir('orchion-agent-models-');
    dirs.push(dataDir);
    const modelsDir = join(dataDir, 'custom-models');
    await mkdir(modelsDir, { recursive: true });
    const bytes = encodeGguf(buildTinyModel());
    await writeFile(join(modelsDir, 'broken.gguf'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await writeFile(join(modelsDir, 'garbage.gguf'), 'this is not a gguf file');
    const agent = startAgent('models-b', dataDir, [
      '--models-dir',
      modelsDir,
      '--runtime',
      'embedded',
      '--runtime',
      'echo',
      '--slots',
      '3',
    ]);
    const s = await session('models-b');
    const hello = s.messages[0]!.hello!;
    expect(hello.runtimes).toEqual(['embedded', 'echo']);
    expect(hello.slots).toBe(3);
    // A (broken) model is there, so no tiny model was written.
    expect(hello.models.map((m) => [m.name, m.runtime, m.error !== ''])).toEqual([
      ['broken', 'embedded', true],
      ['garbage', 'embedded', true],
      ['echo', 'echo', false],
    ]);
    expect(hello.models.find((m) => m.name === 'broken')?.error).toMatch(/invalid GGUF.*truncated/i);
    expect(agent.output()).not.toMatch(/TINY RANDOM-WEIGHT/);

    orch.assign(s, { attemptId: 'bad-1', model: 'broken', prompt: 'x' });
    orch.assign(s, { attemptId: 'echo-1', model: 'echo', prompt: 'still here' });
    const bad = await waitFor('the broken model refused', () => finalOf(s, 'bad-1'));
    expect(bad.state).toBe('TASK_STATE_FAILED');
    expect(bad.error).toMatchObject({ code: 'model-invalid', retryable: true });
    expect((await waitFor('the echo task', () => finalOf(s, 'echo-1'))).result?.text).toBe('still here');

    const beats = s.messages.filter((m) => m.heartbeat).length;
    await waitFor('more heartbeats', () => s.messages.filter((m) => m.heartbeat).length >= beats + 2);
    expect(agent.child.exitCode).toBeNull();
    expect(s.ended).toBe(false);
  });

  it('keeps running an attempt across a broken session and reports it after the reconnection', async () => {
    const dataDir = tempDir('orchion-agent-models-');
    dirs.push(dataDir);
    startAgent('models-c', dataDir);
    const first = await session('models-c');
    orch.assign(first, {
      attemptId: 'att-long',
      model: 'orchion-tiny',
      prompt: 'Hello',
      options: { maxTokens: 200 },
    });
    await waitFor('STARTED', () => updates(first, 'att-long').length > 0);
    // The orchestrator goes away mid-task (as on a restart).
    first.call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'orchestrator restarting' });
    const second = await waitFor('a new session', () => {
      const s = orch.latest('models-c');
      return s !== first ? s : undefined;
    });
    // The attempt is still leased by this agent: running, or finished with its final update not yet sent.
    expect(second.messages[0]?.hello?.runningAttempts).toEqual(['att-long']);
    const final = await waitFor(
      'the final update on the new session',
      () => finalOf(second, 'att-long'),
      30_000,
    );
    expect(final.state).toBe('TASK_STATE_SUCCEEDED');
    expect(finalOf(first, 'att-long')).toBeUndefined();
    expect(final.result?.completionTokens).toBeGreaterThan(0);
  });
  it('on SIGTERM aborts its running attempt, reports it, then says goodbye', async () => {
    const dataDir = tempDir('orchion-agent-models-');
    dirs.push(dataDir);
    const agent = startAgent('models-d', dataDir);
    const s = await session('models-d');
    orch.assign(s, {
      attemptId: 'att-stop',
      model: 'orchion-tiny',
      prompt: 'Hello',
      options: { maxTokens: 200 },
    });
    await waitFor('STARTED', () => updates(s, 'att-stop').length > 0);
    agent.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    const final = finalOf(s, 'att-stop');
    expect(final?.state).toBe('TASK_STATE_FAILED');
    expect(final?.error).toMatchObject({ code: 'agent-stopped', retryable: true });
    const last = s.messages.at(-1);
    expect(last?.payload).toBe('goodbye');
    expect(s.messages.findIndex((m) => m.task === final)).toBe(s.messages.length - 2);
  });
});
