// One node: state, CPU/OS line, utilisation bars with their recent history, runtimes, models and labels.
import { html, nothing } from 'lit';
import { styleProps } from './style-props';
import type { NodeView } from '@orchion/api';
import type { DashboardStore } from '../data/store';
import { formatAgo, formatBytes, formatDuration, formatPercent, shortId } from '../data/format';
import { chartWindow, type Sample } from '../data/series';
import { nodeGauges, nodeSummary, type Gauge } from '../data/node-usage';
import { LightElement, STATE_LABEL } from './base';
import { sparkline } from './charts';

/** How much history the utilisation sparklines show. */
export const HISTORY_MS = 10 * 60_000;

export class NodeCard extends LightElement {
  static override properties = {
    node: { attribute: false },
    store: { attribute: false },
    now: { type: Number },
    busy: { type: Number },
  };
  declare node: NodeView;
  /** Tasks running on the node. */
  declare busy: number;
  declare store: DashboardStore;
  declare now: number;

  private history(samples: Sample[], g: Gauge) {
    const span = chartWindow(samples, this.now, HISTORY_MS);
    return sparkline(samples, {
      ...span,
      max: 1,
      width: 72,
      height: 18,
      label: `${g.label} over the last ${formatDuration(span.to - span.from)}, now ${formatPercent(g.fraction)}`,
    });
  }

  private gauge(g: Gauge) {
    const history = this.store.usageHistory(this.node.id, g.key);
    const level =
      g.fraction === undefined ? 'unknown' : g.fraction >= 0.9 ? 'high' : g.fraction >= 0.7 ? 'mid' : 'low';
    return html`<div class="gauge">
      <span class="gauge-label" id="g-${this.node.id}-${g.key}">${g.label}</span>
      <div
        class="meter level-${level}"
        role="meter"
        aria-labelledby="g-${this.node.id}-${g.key}"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${g.fraction === undefined ? nothing : Math.round(g.fraction * 100)}
        aria-valuetext=${`${formatPercent(g.fraction)}: ${g.detail}`}
        title=${g.detail}
      >
        <div class="meter-fill" .style=${styleProps({ width: `${(g.fraction ?? 0) * 100}%` })}></div>
      </div>
      <span class="gauge-value">${formatPercent(g.fraction)}</span>
      ${
        history && history.size > 0
          ? this.history(history.samples(), g)
          : html`<span class="spark-placeholder"></span>`
      }
      <span class="gauge-detail">${g.detail}</span>
    </div>`;
  }

  protected override render() {
    const n = this.node;
    const gauges = nodeGauges(n, this.busy ?? 0);
    const labels = Object.entries(n.labels);
    return html`<article class="card node-card state-${n.state}" aria-label="Node ${n.hostname}, ${n.state}">
      <header class="card-head">
        <span class="state-dot state-${n.state}" aria-hidden="true"></span>
        <h3 class="node-name" title=${n.id}>${n.hostname}</h3>
        <span class="pill state-${n.state}">${STATE_LABEL[n.state]}</span>
        <code class="muted id" title=${n.id}>${shortId(n.id)}</code>
      </header>
      <p class="muted small">
        ${nodeSummary(n)}${n.state !== 'ready' && n.stateReason ? html` · <span>${n.stateReason}</span>` : nothing}
        · heartbeat ${formatAgo(n.lastHeartbeatAt, this.now)}
      </p>
      <div class="gauges">${gauges.map((g) => this.gauge(g))}</div>
      <div class="chips" aria-label="Runtimes">
        <span class="chips-label">Runtimes</span>
        ${n.runtimes.length ? n.runtimes.map((r) => html`<span class="chip">${r}</span>`) : html`<span class="muted">none</span>`}
      </div>
      ${
        labels.length
          ? html`<div class="chips" aria-label="Labels">
              <span class="chips-label">Labels</span>
              ${labels.map(([k, v]) => html`<span class="chip">${k}=${v}</span>`)}
            </div>`
          : nothing
      }
      <details class="models" ?open=${n.models.length <= 4}>
        <summary>Models (${n.models.length})</summary>
        ${
          n.models.length
            ? html`<ul>
                ${n.models.map(
                  (m) =>
                    html`<li class=${m.error ? 'model-error' : ''}>
                      <span class="model-name">${m.name}</span>
                      <span class="muted small"
                        >${m.runtime}${m.sizeBytes ? ` · ${formatBytes(m.sizeBytes)}` : ''}${
                          m.contextLength ? ` · ctx ${m.contextLength}` : ''
                        }</span
                      >
                      ${m.loaded ? html`<span class="pill state-running">loaded</span>` : nothing}
                      ${m.error ? html`<div class="error small">${m.error}</div>` : nothing}
                    </li>`,
                )}
              </ul>`
            : html`<p class="muted small">No models.</p>`
        }
      </details>
    </article>`;
  }
}
customElements.define('orchion-node-card', NodeCard);
