/** Schema-valid agent config data → the typed config (defaults applied, names resolved, durations in ms). */
import { parseDuration } from '../duration.js';
import type { RawRuntime } from './raw.js';
import type {
  AgentConfigFile,
  ContainerGpus,
  EmbeddedGpu,
  ManagedContainerConfig,
  RuntimeConfig,
} from './types.js';

type Data = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const textMap = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((v as Data | undefined) ?? {}).map(([k, x]) => [k, String(x)]));
const ms = (v: unknown): number | undefined => (v === undefined ? undefined : parseDuration(v));

function gpus(v: unknown, fallback: ContainerGpus): ContainerGpus {
  if (v === true) return 'all';
  if (v === false) return 0;
  return typeof v === 'number' ? v : fallback;
}

function container(d: Data, defaultGpus: ContainerGpus): ManagedContainerConfig {
  const out: ManagedContainerConfig = {
    managed: true,
    gpus: gpus(d.gpu, defaultGpus),
    env: textMap(d.env),
    passEnv: strings(d.passEnv),
  };
  const image = str(d.image);
  if (image !== undefined) out.image = image;
  const cache = str(d.cacheVolume) ?? str(d.cachePath);
  if (cache !== undefined) out.cache = cache;
  const port = num(d.port);
  if (port !== undefined) out.port = port;
  const health = ms(d.healthTimeout);
  if (health !== undefined) out.healthTimeoutMs = health;
  return out;
}

function runtime(r: RawRuntime): RuntimeConfig {
  const d = r.data;
  const name = r.name!;
  switch (r.type!) {
    case 'embedded': {
      const out: RuntimeConfig = { type: 'embedded', name: 'embedded' };
      if (str(d.modelsDir) !== undefined) out.modelsDir = str(d.modelsDir);
      if (num(d.threads) !== undefined) out.threads = num(d.threads);
      if (d.gpu !== undefined) out.gpu = d.gpu === true ? 'auto' : (d.gpu as EmbeddedGpu);
      return out;
    }
    case 'echo':
      return { type: 'echo', name: 'echo' };
    case 'ollama': {
      const keepAlive = d.keepAlive as string | number | undefined;
      const withKeepAlive = keepAlive === undefined ? {} : { keepAlive };
      if (d.managed === true) {
        return { type: 'ollama', name, ...container(d, 'auto'), pull: strings(d.pull), ...withKeepAlive };
      }
      return { type: 'ollama', name, managed: false, url: String(d.url), ...withKeepAlive };
    }
    case 'openai': {
      const apiKeyEnv = str(d.apiKeyEnv);
      return { type: 'openai', name, url: String(d.url), ...(apiKeyEnv ? { apiKeyEnv } : {}) };
    }
    case 'vllm': {
      const servedName = str(d.servedName);
      const idleStopMs = ms(d.idleStop);
      return {
        type: 'vllm',
        name,
        ...container(d, 1),
        model: String(d.model),
        ...(servedName !== undefined ? { servedName } : {}),
        args: strings(d.args),
        ...(idleStopMs !== undefined ? { idleStopMs } : {}),
      };
    }
  }
}

export function normalizeAgentConfig(data: Data, runtimes: readonly RawRuntime[]): AgentConfigFile {
  const docker = (data.docker as Data | undefined) ?? {};
  const out: AgentConfigFile = {
    apiVersion: 'orchion/v1',
    kind: 'AgentConfig',
    labels: textMap(data.labels),
    docker: { keepContainersOnExit: docker.keepContainersOnExit === true },
  };
  if (str(data.orchestrator) !== undefined) out.orchestrator = str(data.orchestrator);
  if (num(data.slots) !== undefined) out.slots = num(data.slots);
  if (Array.isArray(data.runtimes)) out.runtimes = runtimes.map(runtime);
  if (str(docker.host) !== undefined) out.docker.host = str(docker.host);
  return out;
}
