// Reads a V8 `--cpu-prof` profile of an esbuild bundle and prints where the time went, by source module (esbuild
// marks each module in the bundle with a `// path` comment) and by function.
import { readFileSync } from 'node:fs';
import { f, pct } from './format';

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** Maps a bundle's lines to the source module esbuild put there (it marks each with a `// path` comment). */
export function bundleModules(bundleText: string): (line: number) => string {
  const starts: [number, string][] = [];
  bundleText.split('\n').forEach((l, i) => {
    const m = /^\/\/ ((?:\.\.\/)*[\w@.-][\w@./-]*\.(?:ts|js|mjs|cjs|json))$/.exec(l);
    if (m) starts.push([i, m[1]!.replace(/^(\.\.\/)+/, '')]);
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]![0] <= line) {
        found = starts[mid]![1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** Prints where a `--cpu-prof` profile of a bundle (`bundleName`, whose text is `bundleText`) spent its time. */
export function printProfile(title: string, file: string, bundleText: string, bundleName: string): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const moduleAt = bundleModules(bundleText);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const where = (id: number): { fn: string; file: string; group: string } => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const fn = functionName || '(anonymous)';
    if (!url) return { fn, file: '', group: fn.startsWith('(') ? fn : '(native)' };
    if (url.endsWith(`/${bundleName}`)) {
      const mod = moduleAt(lineNumber);
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(mod);
      return { fn, file: `${mod}:${lineNumber + 1}`, group: pkg ? pkg[1]! : mod };
    }
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const short = pkg ? url.slice(url.indexOf(pkg[0])) : url;
    return {
      fn,
      file: `${short}:${lineNumber + 1}`,
      group: pkg ? pkg[1]! : url.startsWith('node:') ? 'node:*' : url,
    };
  };
  const selfFn = new Map<string, number>();
  const selfGroup = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    const w = where(id);
    if (w.fn === '(idle)') {
      idle += dt;
      return;
    }
    total += dt;
    add(selfFn, `${w.fn}  ${w.file}`, dt);
    add(selfGroup, w.group, dt);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const a = where(n);
      if (!a.file.includes('orchestrator/src/') && !a.file.includes('agent/src/')) continue;
      const k = `${a.fn}  ${a.file.replace(/:\d+$/, '')}`;
      if (!seen.has(k)) {
        seen.add(k);
        add(inclusive, k, dt);
      }
    }
  });
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `    ${f(v).padStart(7)} ms ${pct(v / total).padStart(7)}  ${k}`)
      .join('\n');
  console.log(`\nCPU profile of the ${title}: ${f(total)} ms busy, ${f(idle)} ms idle`);
  console.log(`  self time by package / source file:\n${top(selfGroup, 14)}`);
  console.log(`  self time by function:\n${top(selfFn, 25)}`);
  console.log(`  inclusive time of our functions (orchestrator/src, agent/src):\n${top(inclusive, 25)}`);
}
