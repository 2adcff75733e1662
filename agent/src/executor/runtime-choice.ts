/** Which runtime runs a task: the one it names, or else the first that serves its model. */
import type { ModelInfo, Runtime } from '../runtimes/types.js';
import { TaskFailure } from './task-errors.js';

export interface RuntimeChoice {
  runtime: Runtime;
  /** The model as the runtime lists it; undefined when it does not (the runtime then reports why). */
  model?: ModelInfo;
}

async function modelsOf(runtime: Runtime): Promise<ModelInfo[]> {
  try {
    return await runtime.listModels();
  } catch {
    return [];
  }
}

export async function chooseRuntime(
  runtimes: ReadonlyMap<string, Runtime>,
  runtimeName: string,
  modelName: string,
): Promise<RuntimeChoice> {
  if (runtimeName) {
    const runtime = runtimes.get(runtimeName);
    if (!runtime) {
      throw new TaskFailure(
        'runtime-not-found',
        `this agent has no runtime ${JSON.stringify(runtimeName)} (it runs: ${[...runtimes.keys()].join(', ') || 'none'})`,
        true,
      );
    }
    return { runtime, model: (await modelsOf(runtime)).find((m) => m.name === modelName) };
  }
  let broken: RuntimeChoice | undefined;
  const known: string[] = [];
  for (const runtime of runtimes.values()) {
    const models = await modelsOf(runtime);
    known.push(...models.map((m) => m.name));
    const model = models.find((m) => m.name === modelName);
    if (model && !model.error) return { runtime, model };
    if (model) broken ??= { runtime, model };
  }
  // A model listed with an error: let its runtime refuse it ('model-invalid', with the reason).
  if (broken) return broken;
  throw new TaskFailure(
    'model-not-found',
    `no runtime on this agent serves model ${JSON.stringify(modelName)} (models here: ${known.join(', ') || 'none'})`,
    true,
  );
}
