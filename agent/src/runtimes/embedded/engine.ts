/**
 * llama.cpp inference through node-llama-cpp: loads GGUF models lazily and keeps them loaded, and runs
 * completions (LlamaCompletion), chats (LlamaChatSession) and embeddings. It runs inside the worker process
 * (worker.ts) but has no IPC of its own, so it can also be driven in-process (benchmarks).
 */
import {
  getLlama,
  LlamaChatSession,
  LlamaLogLevel,
  LlamaCompletion,
  type ChatHistoryItem,
  type Llama,
  type LlamaGrammar,
  type Token,
} from 'node-llama-cpp';
import type { RuntimeErrorCode } from '../errors.js';
import type { ChatMessage, GenerateOptions, StopReason } from '../types.js';
import { ModelSlot } from './model-slot.js';
import type { WorkerBackend, WorkerConfig, WorkerEmbedResult, WorkerGenerateResult } from './protocol.js';

export class EngineError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ModelRequest {
  model: string;
  modelPath: string;
}

export interface GenerationHooks {
  signal: AbortSignal;
  onText: (text: string) => void;
}

const STOP_REASONS: Record<string, StopReason> = {
  eogToken: 'eogToken',
  stopGenerationTrigger: 'eogToken', // the chat template's end-of-turn text
  maxTokens: 'maxTokens',
  customStopTrigger: 'stopSequence',
  abort: 'aborted',
};

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class LlamaEngine {
  private llama?: Promise<Llama>;
  private readonly slots = new Map<string, Promise<ModelSlot>>();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  constructor(
    private readonly config: WorkerConfig,
    private readonly onLoaded: (model: string) => void = () => undefined,
    private readonly onBackend: (gpu: WorkerBackend, devices: string[]) => void = () => undefined,
  ) {}

  async complete(
    req: ModelRequest & { prompt: string; options: GenerateOptions },
    hooks: GenerationHooks,
  ): Promise<WorkerGenerateResult> {
    const slot = await this.slot(req);
    const grammar = await this.grammar(req.options.jsonSchema);
    return slot.exclusive(async () => {
      const completion = new LlamaCompletion({ contextSequence: await slot.generationSequence() });
      const promptTokens = slot.model.tokenize(req.prompt).length;
      try {
        return await this.run(hooks, promptTokens, async (common) => {
          const r = await completion.generateCompletionWithMeta(req.prompt, {
            ...common,
            ...sampling(req.options, slot),
            grammar,
          });
          return { text: r.response, stopReason: r.metadata.stopReason };
        });
      } finally {
        completion.dispose();
      }
    });
  }

  async chat(
    req: ModelRequest & { messages: ChatMessage[]; options: GenerateOptions; assistantPrefix?: string },
    hooks: GenerationHooks,
  ): Promise<WorkerGenerateResult> {
    const prefix = req.assistantPrefix ?? '';
    const slot = await this.slot(req);
    const grammar = await this.grammar(req.options.jsonSchema);
    const history: ChatHistoryItem[] = req.messages.slice(0, -1).map(toHistoryItem);
    const prompt = req.messages[req.messages.length - 1]?.content ?? '';
    return slot.exclusive(async () => {
      // The default system prompt is long (it alone overflows a 256-token context): use only the messages'.
      const session = new LlamaChatSession({
        contextSequence: await slot.generationSequence(),
        systemPrompt: '',
        chatWrapper: slot.chatWrapper(),
        autoDisposeSequence: false,
      });
      session.setChatHistory(history);
      const rendered = session.chatWrapper.generateContextState({
        chatHistory: [
          ...history,
          { type: 'user', text: prompt },
          { type: 'model', response: prefix ? [prefix] : [] },
        ],
      });
      const promptTokens = rendered.contextText.tokenize(slot.model.tokenizer).length;
      try {
        // node-llama-cpp reports a response prefix as the first text chunk and in the response: drop it there.
        let skip = prefix;
        const chatHooks: GenerationHooks = {
          signal: hooks.signal,
          onText: (t) => {
            if (skip && t.startsWith(skip)) {
              t = t.slice(skip.length);
              skip = '';
            }
            if (t) hooks.onText(t);
          },
        };
        const result = await this.run(chatHooks, promptTokens, async (common) => {
          const r = await session.promptWithMeta(prompt, {
            ...common,
            ...sampling(req.options, slot),
            grammar,
            ...(prefix ? { responsePrefix: prefix } : {}),
          });
          return { text: r.responseText, stopReason: r.stopReason };
        });
        if (prefix) {
          if (result.text.startsWith(prefix)) result.text = result.text.slice(prefix.length);
          const prefixTokens = slot.model.tokenize(prefix).length;
          result.completionTokens = Math.max(0, result.completionTokens - prefixTokens);
        }
        return result;
      } finally {
        session.dispose({ disposeSequence: false });
      }
    });
  }

  async embed(req: ModelRequest & { input: string[] }, signal: AbortSignal): Promise<WorkerEmbedResult> {
    const slot = await this.slot(req);
    return slot.exclusive(async () => {
      const ctx = await slot.embeddingContext();
      const embeddings: number[][] = [];
      let promptTokens = 0;
      for (const text of req.input) {
        if (signal.aborted) throw new EngineError('aborted', 'embedding aborted');
        const tokens = slot.model.tokenize(text);
        if (tokens.length > slot.contextSize) {
          throw new EngineError(
            'bad-request',
            `input of ${tokens.length} tokens exceeds the context (${slot.contextSize})`,
          );
        }
        promptTokens += tokens.length;
        embeddings.push(Array.from((await ctx.getEmbeddingFor(tokens)).vector));
      }
      return { embeddings, dimensions: slot.model.embeddingVectorSize, promptTokens };
    });
  }

  async dispose(): Promise<void> {
    const llama = await this.llama?.catch(() => undefined);
    await llama?.dispose();
  }

  /** Streams, counts and times one generation; an abort returns what was produced so far. */
  private async run(
    hooks: GenerationHooks,
    promptTokens: number,
    generate: (common: {
      signal: AbortSignal;
      stopOnAbortSignal: true;
      onTextChunk: (t: string) => void;
      onToken: (t: Token[]) => void;
    }) => Promise<{ text: string; stopReason: string }>,
  ): Promise<WorkerGenerateResult> {
    const started = performance.now();
    let streamed = '';
    let completionTokens = 0;
    const result = (text: string, stopReason: StopReason): WorkerGenerateResult => ({
      text,
      stopReason,
      promptTokens,
      completionTokens,
      durationMs: performance.now() - started,
    });
    if (hooks.signal.aborted) return result('', 'aborted');
    try {
      const r = await generate({
        signal: hooks.signal,
        stopOnAbortSignal: true,
        onTextChunk: (t) => {
          streamed += t;
          hooks.onText(t);
        },
        onToken: (t) => (completionTokens += t.length),
      });
      return result(r.text, STOP_REASONS[r.stopReason] ?? 'other');
    } catch (err) {
      if (hooks.signal.aborted) return result(streamed, 'aborted');
      throw new EngineError('internal', `generation failed: ${messageOf(err)}`);
    }
  }

  private llamaInstance(): Promise<Llama> {
    // build 'never': use the installed prebuilt binaries; never compile (or download) llama.cpp at run time.
    if (!this.llama) {
      this.llama = getLlama({
        gpu: this.config.gpu,
        build: 'never',
        maxThreads: this.config.threads,
        logLevel: LlamaLogLevel.warn,
      });
      this.llama.then(
        async (llama) => this.onBackend(llama.gpu, await llama.getGpuDeviceNames().catch(() => [])),
        () => (this.llama = undefined),
      );
    }
    return this.llama;
  }

  private slot(req: ModelRequest): Promise<ModelSlot> {
    let slot = this.slots.get(req.modelPath);
    if (!slot) {
      slot = this.load(req);
      this.slots.set(req.modelPath, slot);
      slot.catch(() => this.slots.delete(req.modelPath));
    }
    return slot;
  }

  private async load(req: ModelRequest): Promise<ModelSlot> {
    const llama = await this.llamaInstance().catch((err: unknown) => {
      throw new EngineError(
        'internal',
        `llama.cpp is unavailable (gpu: ${this.config.gpu}): ${messageOf(err)}`,
      );
    });
    try {
      const model = await llama.loadModel({ modelPath: req.modelPath });
      this.onLoaded(req.model);
      return new ModelSlot(model, this.config);
    } catch (err) {
      throw new EngineError('model-invalid', `cannot load model ${req.model}: ${messageOf(err)}`);
    }
  }

  private grammar(schema: object | undefined): Promise<LlamaGrammar | undefined> {
    if (!schema) return Promise.resolve(undefined);
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = (async () => {
        const llama = await this.llamaInstance();
        try {
          return await llama.createGrammarForJsonSchema(schema as never);
        } catch (err) {
          throw new EngineError(
            'bad-request',
            `cannot turn the JSON schema into a grammar: ${messageOf(err)}`,
          );
        }
      })();
      this.grammars.set(key, grammar);
      grammar.catch(() => this.grammars.delete(key));
    }
    return grammar;
  }
}

function toHistoryItem(m: ChatMessage): ChatHistoryItem {
  if (m.role === 'assistant') return { type: 'model', response: [m.content] };
  return { type: m.role, text: m.content };
}

function sampling(o: GenerateOptions, slot: ModelSlot) {
  return {
    temperature: o.temperature ?? 0,
    topP: o.topP,
    seed: o.seed,
    // Unbounded generation could run forever through context shifts: default to one context's worth.
    maxTokens: o.maxTokens ?? slot.contextSize,
    customStopTriggers: o.stop,
  };
}
