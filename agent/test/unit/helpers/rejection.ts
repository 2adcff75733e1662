import { isRuntimeError, type RuntimeError } from '../../../src/runtimes/index.js';

/** The RuntimeError a call rejects with (fails the test if it resolves or rejects with anything else). */
export async function rejection(p: Promise<unknown>): Promise<RuntimeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isRuntimeError(err)) throw new Error(`expected a RuntimeError, got ${String(err)}`);
  return err;
}
