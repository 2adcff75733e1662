/** A fake session for TaskExecutor tests: records what the executor sends, with switches for its state. */
import type { AgentMessage, AssignTask__Output, OutputChunk, TaskUpdate } from '@orchion/proto';
import { TaskExecutor, type TaskExecutorOptions } from '../../../src/executor/index.js';

export class FakeLink {
  readonly messages: AgentMessage[] = [];
  connected = true;
  writable = true;
  private waiters: (() => void)[] = [];

  send = (msg: AgentMessage): void => {
    if (!this.connected) throw new Error('the executor wrote to a session that is down');
    this.messages.push(msg);
    for (const w of this.waiters.splice(0)) w();
  };

  canSend = (): boolean => this.connected && this.writable;
  isConnected = (): boolean => this.connected;

  updates(attemptId?: string): TaskUpdate[] {
    return this.messages
      .filter((m) => m.task && (!attemptId || m.task.attemptId === attemptId))
      .map((m) => m.task!);
  }

  outputs(attemptId?: string): OutputChunk[][] {
    return this.messages
      .filter((m) => m.output && (!attemptId || m.output.attemptId === attemptId))
      .map((m) => m.output!.chunks ?? []);
  }

  chunks(attemptId: string, kind?: 'TOKEN' | 'LOG'): OutputChunk[] {
    return this.outputs(attemptId)
      .flat()
      .filter((c) => !kind || c.kind === kind);
  }

  tokenText(attemptId: string): string {
    return this.chunks(attemptId, 'TOKEN')
      .map((c) => c.text)
      .join('');
  }

  logs(attemptId: string): string[] {
    return this.chunks(attemptId, 'LOG').map((c) => c.text ?? '');
  }

  /** Resolves with the attempt's final update (SUCCEEDED, FAILED or CANCELLED). */
  async final(attemptId: string, timeoutMs = 15_000): Promise<TaskUpdate> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.updates(attemptId).find((u) => u.state !== 'TASK_STATE_STARTED');
      if (f) return f;
      if (Date.now() > deadline) throw new Error(`no final update for ${attemptId}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves when a message matching `pred` has been sent. */
  async until(pred: (m: AgentMessage) => boolean, timeoutMs = 10_000): Promise<AgentMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.find(pred);
      if (m) return m;
      if (Date.now() > deadline) throw new Error('timed out waiting for a message');
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export function executorWith(
  link: FakeLink,
  opts: Omit<TaskExecutorOptions, 'send' | 'canSend' | 'isConnected'>,
): TaskExecutor {
  return new TaskExecutor({ ...opts, send: link.send, canSend: link.canSend, isConnected: link.isConnected });
}

let seq = 0;

/** An AssignTask as it arrives from the wire (defaults filled in, unset optionals absent). */
export function task(fields: Partial<AssignTask__Output> & { model: string }): AssignTask__Output {
  return {
    attemptId: `attempt-${++seq}`,
    jobId: 'job-1',
    stepId: 'step-1',
    attempt: 1,
    runtime: '',
    options: null,
    outputSchemaJson: '',
    timeoutMs: 0,
    ...fields,
  };
}

export const prompt = (text: string) => ({ prompt: text, input: 'prompt' as const });
export const chat = (...messages: { role: string; content: string }[]) => ({
  messages: { messages },
  input: 'messages' as const,
});
export const embed = (...input: string[]) => ({ embed: { input }, input: 'embed' as const });
export const options = (o: {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
}) => ({
  options: { stop: [], ...o },
});
