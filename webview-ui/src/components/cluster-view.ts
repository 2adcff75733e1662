// The cluster overview: headline numbers with the job-throughput and generation-speed charts, then one card per
// node.
import { html, nothing } from 'lit';
import type { DashboardStore } from '../data/store';
import { bucketCounts } from '../data/series';
import { LightElement } from './base';
import { barStrip, sparkline } from './charts';
import './node-card';

const BUCKET_MS = 60_000;
const BUCKETS = 30;

export class ClusterView extends LightElement {
  static override properties = {
    store: { attribute: false },
    version: { type: Number },
    now: { type: Number },
  };
  declare store: DashboardStore;
  declare version: number;
  declare now: number;

  protected override render() {
    const { nodes, jobs } = this.store.counts();
    const list = this.store.nodes();
    const perMinute = bucketCounts(this.store.finishTimes(), this.now, BUCKET_MS, BUCKETS);
    const finished = perMinute.reduce((a, b) => a + b, 0);
    const rates = this.store.stepRates.samples().filter((s) => s.t > this.now - BUCKET_MS * BUCKETS);
    const lastRate = rates[rates.length - 1]?.v;
    return html`<section class="stats" aria-label="Cluster summary">
        <div class="stat card">
          <span class="stat-label">Nodes</span>
          <span class="stat-value">${nodes.ready ?? 0}<span class="muted small"> ready</span></span>
          <span class="muted small">${nodes.stale ?? 0} stale · ${nodes.offline ?? 0} offline</span>
        </div>
        <div class="stat card">
          <span class="stat-label">Jobs</span>
          <span class="stat-value">${jobs.running ?? 0}<span class="muted small"> running</span></span>
          <span class="muted small">${jobs.queued ?? 0} queued · ${jobs.failed ?? 0} failed</span>
        </div>
        <div class="stat card chart-card">
          <span class="stat-label">Throughput</span>
          ${barStrip(perMinute, {
            label: `Jobs finished per minute over the last ${BUCKETS} minutes: ${finished} in all`,
            titles: perMinute.map((c, i) => `${c} job${c === 1 ? '' : 's'}, ${BUCKETS - i} min ago`),
          })}
          <span class="muted small"
            >${finished} job${finished === 1 ? '' : 's'} finished in ${BUCKETS} min</span
          >
        </div>
        <div class="stat card chart-card">
          <span class="stat-label">Generation speed</span>
          ${sparkline(rates, {
            from: this.now - BUCKET_MS * BUCKETS,
            to: this.now,
            width: 180,
            height: 36,
            label:
              lastRate === undefined
                ? 'Tokens per second of finished steps: none yet'
                : `Tokens per second of finished steps, latest ${lastRate.toFixed(1)}`,
          })}
          <span class="muted small"
            >${lastRate === undefined ? 'no finished steps yet' : `${lastRate.toFixed(1)} tokens/s (last step)`}</span
          >
        </div>
      </section>
      <h2 class="section-title">Nodes <span class="muted small">(${list.length})</span></h2>
      ${
        list.length === 0
          ? html`<p class="empty">
              No nodes yet. Start an agent with <code>orchion agent</code> or <code>orchion up</code>.
            </p>`
          : nothing
      }
      <section class="node-grid" aria-label="Nodes">
        ${list.map((n) => html`<orchion-node-card .node=${n} .store=${this.store} now=${this.now}></orchion-node-card>`)}
      </section>`;
  }
}
customElements.define('orchion-cluster-view', ClusterView);
