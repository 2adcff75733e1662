/** Turns an AssignTask from the wire into what a runtime call needs (input, options, output schema). */
import type { AssignTask__Output, GenerateOptions__Output } from '@orchion/proto';
import type { ChatMessage, GenerateOptions } from '../runtimes/types.js';
import { TaskFailure } from './task-errors.js';

export type TaskInput =
  | { kind: 'complete'; prompt: string }
  | { kind: 'chat'; messages: ChatMessage[] }
  | { kind: 'embed'; input: string[] };

export interface TaskRequest {
  /** Empty: pick the runtime that serves `model`. */
  runtime: string;
  model: string;
  input: TaskInput;
  /** Generation options; `jsonSchema` is set when the step has an output schema. */
  options: GenerateOptions;
  /** The output schema, parsed (the result is always validated against it). */
  schema?: object;
  /** 0: no timeout. */
  timeoutMs: number;
}

const badRequest = (message: string) => new TaskFailure('bad-request', message, false);

/** Throws TaskFailure('bad-request') when the task cannot be run as given anywhere. */
export function parseTask(task: AssignTask__Output): TaskRequest {
  if (!task.model) throw badRequest('the task names no model');
  const options = generateOptions(task.options);
  let schema: object | undefined;
  if (task.outputSchemaJson) {
    schema = parseSchema(task.outputSchemaJson);
    options.jsonSchema = schema;
  }
  const input = taskInput(task);
  if (input.kind === 'embed') delete options.jsonSchema;
  return {
    runtime: task.runtime ?? '',
    model: task.model,
    input,
    options,
    ...(input.kind === 'embed' || !schema ? {} : { schema }),
    timeoutMs: task.timeoutMs ?? 0,
  };
}

function taskInput(task: AssignTask__Output): TaskInput {
  const kind = task.input ?? inferInput(task);
  if (kind === 'prompt' && typeof task.prompt === 'string') return { kind: 'complete', prompt: task.prompt };
  if (kind === 'messages' && task.messages) {
    const messages = (task.messages.messages ?? []).map((m) => ({
      role: m.role as ChatMessage['role'],
      content: m.content,
    }));
    return { kind: 'chat', messages };
  }
  if (kind === 'embed' && task.embed) return { kind: 'embed', input: [...(task.embed.input ?? [])] };
  throw badRequest('the task has no input (prompt, messages or embed)');
}

function inferInput(task: AssignTask__Output): AssignTask__Output['input'] {
  if (typeof task.prompt === 'string') return 'prompt';
  if (task.messages) return 'messages';
  if (task.embed) return 'embed';
  return undefined;
}

/** Wire options → runtime options. Unset proto3 `optional` fields arrive absent (not 0). */
export function generateOptions(o: GenerateOptions__Output | null | undefined): GenerateOptions {
  const out: GenerateOptions = {};
  if (!o) return out;
  if (isSet(o.temperature)) out.temperature = o.temperature;
  if (isSet(o.maxTokens)) out.maxTokens = o.maxTokens;
  if (isSet(o.topP)) out.topP = o.topP;
  if (isSet(o.seed)) out.seed = Number(o.seed);
  if (o.stop && o.stop.length > 0) out.stop = [...o.stop];
  return out;
}

const isSet = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

function parseSchema(json: string): object {
  let schema: unknown;
  try {
    schema = JSON.parse(json);
  } catch (err) {
    throw badRequest(`output_schema_json is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw badRequest('output_schema_json must be a JSON Schema object');
  }
  return schema;
}
