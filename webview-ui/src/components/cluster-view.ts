// The cluster overview: headline numbers with the job-throughput and generation-speed charts, then one card per
// node.
import { html, nothing } from 'lit';
import type { DashboardStore } from '../data/store';
import { formatDuration, formatPercent } from '../data/format';
import { matchNodes } from '../data/node-usage';
import { bucketCounts, chartWindow } from '../data/series';
import { LightElement } from './base';
import { barStrip, sparkline } from './charts';
import './node-card';

const BUCKET_MS = 60_000;
const BUCKETS = 30;
const RATE_BARS = 30;
const NODE_PAGE = 60;

export class ClusterView extends LightElement {
  static override properties = {
    store: { attribute: false },
    version: { type: Number },
    now: { type: Number },
    filter: { state: true },
    limit: { state: true },
  };
  declare store: DashboardStore;
  declare version: number;
  declare now: number;
  declare filter: string;
  declare limit: number;

  constructor() {
    super();
    this.filter = '';
    this.limit = NODE_PAGE;
  }

  protected override render() {
    const { nodes, jobs } = this.store.counts();
    const list = this.store.nodes();
    const perMinute = bucketCounts(this.store.finishTimes(), this.now, BUCKET_MS, BUCKETS);
    const finished = perMinute.reduce((a, b) => a + b, 0);
    const slots = this.store.clusterSlotHistory();
    const slotsWindow = chartWindow(slots, this.now, BUCKET_MS * BUCKETS);
    const ready = list.filter((n) => n.state === 'ready');
    const totalSlots = ready.reduce((a, n) => a + n.slots, 0);
    const busyByNode = this.store.busyByNode();
    const busy = ready.reduce((a, n) => a + Math.min(n.slots, busyByNode.get(n.id) ?? 0), 0);
    const slotsNow = totalSlots > 0 ? busy / totalSlots : undefined;
    // One bar per finished step (the newest on the right), padded to a fixed width.
    const rates = this.store.stepRates.samples().slice(-RATE_BARS);
    const recent = [...new Array<number>(RATE_BARS - rates.length).fill(0), ...rates.map((r) => r.v)];
    const lastRate = rates[rates.length - 1]?.v;
    // A large fleet renders a page of cards at a time (ready first), narrowed by the filter.
    const matching = matchNodes(list, this.filter);
    const shown = matching.slice(0, this.limit);
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
          <span class="stat-label">Slots in use</span>
          ${sparkline(slots, {
            ...slotsWindow,
            max: 1,
            width: 180,
            height: 36,
            label: `Share of the ready nodes' task slots in use over the last ${formatDuration(slotsWindow.to - slotsWindow.from)}, now ${formatPercent(slotsNow)}`,
          })}
          <span class="muted small"
            >${formatPercent(slotsNow)} of ${totalSlots} slots now · last
            ${formatDuration(slotsWindow.to - slotsWindow.from)}</span
          >
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
          ${barStrip(recent, {
            label:
              lastRate === undefined
                ? 'Tokens per second of finished steps: none yet'
                : `Tokens per second of the last ${rates.length} finished steps, latest ${lastRate.toFixed(1)}`,
            titles: recent.map((v) => (v ? `${v.toFixed(1)} tokens/s` : '')),
          })}
          <span class="muted small"
            >${lastRate === undefined ? 'no finished steps yet' : `${lastRate.toFixed(1)} tokens/s (last step)`}</span
          >
        </div>
      </section>
      <div class="section-head">
        <h2 class="section-title">Nodes <span class="muted small">(${list.length})</span></h2>
        ${
          list.length > 1
            ? html`<vscode-textfield
                class="node-filter"
                placeholder="Filter by host, id, label or model"
                aria-label="Filter nodes by host, id, label or model"
                .value=${this.filter}
                @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)}
              ></vscode-textfield>`
            : nothing
        }
      </div>
      ${
        list.length === 0
          ? html`<p class="empty">
              No nodes yet. Start an agent with <code>orchion agent</code> or <code>orchion up</code>.
            </p>`
          : nothing
      }
      ${matching.length === 0 && list.length > 0 ? html`<p class="empty">No nodes match the filter.</p>` : nothing}
      <section class="node-grid" aria-label="Nodes">
        ${shown.map(
          (n) =>
            html`<orchion-node-card
              .node=${n}
              .store=${this.store}
              busy=${busyByNode.get(n.id) ?? 0}
              now=${this.now}
            ></orchion-node-card>`,
        )}
      </section>
      ${
        shown.length < matching.length
          ? html`<vscode-button secondary class="load-more" @click=${() => (this.limit += NODE_PAGE)}
              >Show ${Math.min(NODE_PAGE, matching.length - shown.length)} more of
              ${matching.length - shown.length} nodes</vscode-button
            >`
          : nothing
      }`;
  }
}
customElements.define('orchion-cluster-view', ClusterView);
