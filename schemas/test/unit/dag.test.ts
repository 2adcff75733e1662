import { describe, expect, test } from 'vitest';
import { StepGraph, pipelineGraph, stepGraph, type GraphStep } from '../../src/index.js';

const diamond: GraphStep[] = [
  { id: 'd', needs: ['b', 'c'] },
  { id: 'a', needs: [] },
  { id: 'c', needs: ['a'] },
  { id: 'b', needs: ['a'] },
  { id: 'e', needs: [] },
];

describe('StepGraph', () => {
  test('topological order follows needs, then declaration order', () => {
    expect(stepGraph(diamond).topologicalOrder()).toEqual(['a', 'e', 'c', 'b', 'd']);
    expect(stepGraph(diamond).levels()).toEqual([['a', 'e'], ['c', 'b'], ['d']]);
  });

  test('upstreamOf / downstreamOf are transitive', () => {
    const g = new StepGraph(diamond);
    expect([...g.upstreamOf('d')].sort()).toEqual(['a', 'b', 'c']);
    expect([...g.downstreamOf('a')].sort()).toEqual(['b', 'c', 'd']);
    expect([...g.upstreamOf('a')]).toEqual([]);
    expect(g.isUpstream('a', 'd')).toBe(true);
    expect(g.isUpstream('e', 'd')).toBe(false);
    expect(g.dependents('a')).toEqual(['c', 'b']);
  });

  test('readySteps given finished and excluded (running/failed) steps', () => {
    const g = stepGraph(diamond);
    expect(g.readySteps([])).toEqual(['a', 'e']);
    expect(g.readySteps(['a'], ['e'])).toEqual(['c', 'b']);
    expect(g.readySteps(['a', 'b'], ['c', 'e'])).toEqual([]);
    expect(g.readySteps(['a', 'b', 'c', 'e'])).toEqual(['d']);
    expect(g.readySteps(['a', 'b', 'c', 'd', 'e'])).toEqual([]);
  });

  test('unknown needs and duplicate ids are ignored', () => {
    const g = stepGraph([
      { id: 'a', needs: ['ghost', 'ghost'] },
      { id: 'a', needs: ['b'] },
      { id: 'b', needs: ['a', 'a'] },
    ]);
    expect(g.ids).toEqual(['a', 'b']);
    expect(g.needs('a')).toEqual([]);
    expect(g.needs('b')).toEqual(['a']);
  });

  test('cycles: strongly connected components, self-loops; topologicalOrder throws', () => {
    const g = stepGraph([
      { id: 'a', needs: ['c'] },
      { id: 'b', needs: ['a'] },
      { id: 'c', needs: ['b'] },
      { id: 'd', needs: ['d'] },
      { id: 'e', needs: ['a'] },
    ]);
    expect(g.cycles()).toEqual([['a', 'b', 'c'], ['d']]);
    expect(g.levels()).toEqual([]);
    expect(() => g.topologicalOrder()).toThrow(/cycle through: a, b, c, d, e/);
    expect(g.needsPath('a', 'b')).toEqual(['a', 'c', 'b']);
    expect(g.needsPath('e', 'd')).toBeUndefined();
  });

  test('a 50,000-step chain needs no recursion', () => {
    const n = 50_000;
    const steps = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, needs: i ? [`s${i - 1}`] : [] }));
    const g = stepGraph(steps);
    expect(g.topologicalOrder()).toHaveLength(n);
    expect(g.upstreamOf(`s${n - 1}`).size).toBe(n - 1);
    expect(g.cycles()).toEqual([]);
    steps[0]!.needs = [`s${n - 1}`];
    expect(stepGraph(steps).cycles()[0]).toHaveLength(n);
  });

  test('pipelineGraph works on parsed pipelines', () => {
    expect(pipelineGraph({ steps: [] }).topologicalOrder()).toEqual([]);
  });
});
