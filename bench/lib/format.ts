// Number formatting for benchmark reports.
export const f = (x: number, d = 0): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

export const pct = (x: number): string => `${x < 0.01 ? (x * 100).toPrecision(2) : (x * 100).toFixed(1)} %`;
