// Small hand-written SVG charts (no chart library): a step-line sparkline and a bar strip. The geometry comes
// from ../data/series.ts (unit-tested); these only draw it, with an accessible name.
import { html, svg, type TemplateResult } from 'lit';
import { barRects, stepArea, stepPath, type Sample } from '../data/series';

export function sparkline(
  samples: readonly Sample[],
  opts: {
    from: number;
    to: number;
    max?: number;
    label: string;
    width?: number;
    height?: number;
    className?: string;
  },
): TemplateResult {
  const width = opts.width ?? 120;
  const height = opts.height ?? 24;
  const max = opts.max ?? Math.max(1e-9, ...samples.map((s) => s.v));
  const line = stepPath(samples, { from: opts.from, to: opts.to, width, height: height - 2, max });
  const area = stepArea(line, height - 2);
  return html`<svg
    class="sparkline ${opts.className ?? ''}"
    role="img"
    aria-label=${opts.label}
    viewBox="0 0 ${width} ${height}"
    width=${width}
    height=${height}
    preserveAspectRatio="none"
  >
    <title>${opts.label}</title>
    ${
      line
        ? svg`<path class="area" d=${area} transform="translate(0,1)"></path><path class="line" d=${line} transform="translate(0,1)"></path>`
        : svg`<line class="baseline" x1="0" x2=${width} y1=${height - 1} y2=${height - 1}></line>`
    }
  </svg>`;
}

export function barStrip(
  counts: readonly number[],
  opts: { label: string; width?: number; height?: number; titles?: readonly string[] },
): TemplateResult {
  const width = opts.width ?? 180;
  const height = opts.height ?? 36;
  const rects = barRects(counts, width, height - 1);
  return html`<svg
    class="bars"
    role="img"
    aria-label=${opts.label}
    viewBox="0 0 ${width} ${height}"
    width=${width}
    height=${height}
    preserveAspectRatio="none"
  >
    <title>${opts.label}</title>
    <line class="baseline" x1="0" x2=${width} y1=${height - 0.5} y2=${height - 0.5}></line>
    ${rects.map(
      (r, i) =>
        svg`<rect x=${r.x} y=${r.y} width=${r.width} height=${r.height}>${opts.titles?.[i] ? svg`<title>${opts.titles[i]}</title>` : ''}</rect>`,
    )}
  </svg>`;
}
