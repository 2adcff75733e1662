/** "Did you mean …?" suggestions for misspelt names. */

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), capped at `max + 1`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, prevPrev[j - 2]! + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The candidate closest to `name`, if it is close enough to be a plausible typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const max = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const other = candidate.toLowerCase();
    // Same name in another case, then abbreviations (`str` → `string`), then small edits.
    const d =
      other === lower
        ? 0
        : lower.length >= 3 && other.startsWith(lower)
          ? 0.5
          : editDistance(lower, other, max);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or an empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = closest(name, candidates);
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/**
 * Suggestions against one fixed candidate list, cached per name and bounded in total work: a huge broken file
 * (thousands of misspelt ids against thousands of steps) must not turn suggestions quadratic.
 */
export class Suggester {
  private readonly candidates: string[];
  private readonly cache = new Map<string, string>();
  private budget: number;

  /** `budget`: how many candidate comparisons all suggestions may cost together. */
  constructor(candidates: Iterable<string>, budget = 300_000) {
    this.candidates = [...candidates];
    this.budget = budget;
  }

  /** ` (did you mean "x"?)`, or an empty string (also once the budget is spent). */
  didYouMean(name: string): string {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    if (this.budget < this.candidates.length) return '';
    this.budget -= this.candidates.length;
    const hint = didYouMean(name, this.candidates);
    this.cache.set(name, hint);
    return hint;
  }
}
