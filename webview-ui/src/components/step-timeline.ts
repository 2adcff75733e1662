// Per-step bars of a job: waiting (lighter) then running, on a shared time axis (SVG).
import { html, svg } from 'lit';
import type { StepView } from '@orchion/api';
import { formatDuration } from '../data/format';
import { stepTimeline } from '../data/timeline';
import { STATE_LABEL } from './base';

const ROW = 22;
const LABEL = 120;
const WIDTH = 640;

export function stepTimelineChart(
  job: { createdAt: string; finishedAt: string | null },
  steps: readonly StepView[],
  now: number,
) {
  const tl = stepTimeline(job, steps, now);
  const plot = WIDTH - LABEL - 70;
  const height = tl.rows.length * ROW + 20;
  const x = (f: number): number => LABEL + f * plot;
  const summary = tl.rows
    .map((r) => `${r.id} ${r.state}${r.durationMs === undefined ? '' : ` ${formatDuration(r.durationMs)}`}`)
    .join(', ');
  return html`<svg
    class="timeline"
    role="img"
    aria-label=${`Step timeline: ${summary}`}
    viewBox="0 0 ${WIDTH} ${height}"
    width="100%"
    preserveAspectRatio="xMinYMin meet"
  >
    ${tl.ticks.map(
      (t) =>
        svg`<line class="tick" x1=${x(t.at)} x2=${x(t.at)} y1="0" y2=${height - 16}></line>
        <text class="tick-label" x=${x(t.at)} y=${height - 4} text-anchor="middle">${formatDuration(t.ms)}</text>`,
    )}
    ${tl.rows.map((r, i) => {
      const y = i * ROW + 3;
      return svg`<g class="tl-row state-${r.state}">
        <title>${r.id}: ${STATE_LABEL[r.state]}${r.durationMs === undefined ? '' : `, ran ${formatDuration(r.durationMs)}`}${r.attempts > 1 ? `, ${r.attempts} attempts` : ''}</title>
        <text class="tl-label" x=${LABEL - 8} y=${y + 12} text-anchor="end">${r.id.length > 16 ? `${r.id.slice(0, 15)}…` : r.id}</text>
        ${r.queued ? svg`<rect class="tl-queued" x=${x(r.queued.left)} y=${y + 2} width=${Math.max(1, r.queued.width * plot)} height=${ROW - 10} rx="2"></rect>` : ''}
        ${r.running ? svg`<rect class="tl-running" x=${x(r.running.left)} y=${y} width=${Math.max(2, r.running.width * plot)} height=${ROW - 6} rx="2"></rect>` : ''}
        <text class="tl-duration" x=${x((r.running?.left ?? 0) + (r.running?.width ?? 0)) + 6} y=${y + 12}>${r.durationMs === undefined ? STATE_LABEL[r.state] : formatDuration(r.durationMs)}</text>
      </g>`;
    })}
  </svg>`;
}
