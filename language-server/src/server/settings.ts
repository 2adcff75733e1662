/** The effective settings: `initializationOptions` first, overridden by `workspace/didChangeConfiguration`. */
import type { CategorySwitches } from '../service/diagnostics.js';
import type { InitializationOptions, OrchionSettings } from '../protocol.js';

export interface EffectiveSettings {
  url: string | undefined;
  token: string | undefined;
  ttlMs: number;
  validationDelayMs: number;
  diagnostics: CategorySwitches;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
}

export function fromInitialization(options: unknown): EffectiveSettings {
  const o = (typeof options === 'object' && options !== null ? options : {}) as InitializationOptions;
  return {
    url: str(o.orchestratorUrl),
    token: str(o.token),
    ttlMs: num(o.liveValuesTtlMs, 30_000),
    validationDelayMs: num(o.validationDelayMs, 150),
    diagnostics: {},
  };
}

/** Applies `settings.orchion` (anything malformed is ignored, never thrown). */
export function withConfiguration(base: EffectiveSettings, settings: unknown): EffectiveSettings {
  const orchion =
    typeof settings === 'object' && settings !== null
      ? (settings as { orchion?: unknown }).orchion
      : undefined;
  if (typeof orchion !== 'object' || orchion === null) return base;
  const o = orchion as OrchionSettings;
  const diagnostics: CategorySwitches = {};
  if (typeof o.diagnostics === 'object' && o.diagnostics !== null) {
    for (const [k, v] of Object.entries(o.diagnostics))
      if (typeof v === 'boolean') diagnostics[k as keyof CategorySwitches] = v;
  }
  return { ...base, url: str(o.url) ?? base.url, token: str(o.token) ?? base.token, diagnostics };
}
