// The job queue and history: state filter, name/id search, newest first, keyboard navigable (arrows, Enter).
import { html, nothing } from 'lit';
import { styleProps } from './style-props';
import type { JobSummary } from '@orchion/api';
import type { DashboardStore, JobFilter } from '../data/store';
import { elapsedMs, formatAgo, formatDuration, shortId } from '../data/format';
import { LightElement, STATE_LABEL } from './base';

const FILTERS: { value: JobFilter; label: string }[] = [
  { value: 'all', label: 'All jobs' },
  { value: 'active', label: 'Queued or running' },
  { value: 'queued', label: 'Queued' },
  { value: 'running', label: 'Running' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'failed', label: 'Failed' },
  { value: 'cancelled', label: 'Cancelled' },
];

export class JobList extends LightElement {
  static override properties = {
    store: { attribute: false },
    version: { type: Number },
    now: { type: Number },
    selected: { type: String },
    filter: { state: true },
    text: { state: true },
  };
  declare store: DashboardStore;
  declare version: number;
  declare now: number;
  declare selected: string | undefined;
  declare filter: JobFilter;
  declare text: string;

  constructor() {
    super();
    this.filter = 'all';
    this.text = '';
  }

  private select(job: JobSummary): void {
    this.dispatchEvent(new CustomEvent('job-select', { detail: { id: job.id }, bubbles: true }));
  }

  private onKey(e: KeyboardEvent, jobs: JobSummary[], index: number): void {
    const next =
      e.key === 'ArrowDown'
        ? index + 1
        : e.key === 'ArrowUp'
          ? index - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? jobs.length - 1
              : -2;
    if (next === -2 || next < 0 || next >= jobs.length) return;
    e.preventDefault();
    this.querySelectorAll<HTMLElement>('.job-row')[next]?.focus();
  }

  private stepBar(job: JobSummary) {
    const total = Object.values(job.steps).reduce((a, b) => a + (b ?? 0), 0) || 1;
    return html`<span class="step-bar" aria-hidden="true"
        >${(['succeeded', 'running', 'queued', 'failed', 'cancelled'] as const).map((s) =>
          job.steps[s]
            ? html`<span
                class="seg state-${s}"
                .style=${styleProps({ 'flex-grow': String(job.steps[s]) })}
              ></span>`
            : nothing,
        )}</span
      ><span class="visually-hidden"
        >${Object.entries(job.steps)
          .map(([s, n]) => `${n} ${s}`)
          .join(', ')}
        of ${total} steps</span
      >`;
  }

  protected override render() {
    const jobs = this.store.jobs(this.filter, this.text);
    return html`<div class="list-tools" role="search">
        <vscode-single-select
          aria-label="Filter jobs by state"
          .value=${this.filter}
          @change=${(e: Event) => (this.filter = (e.target as HTMLSelectElement).value as JobFilter)}
        >
          ${FILTERS.map((f) => html`<vscode-option value=${f.value} ?selected=${f.value === this.filter}>${f.label}</vscode-option>`)}
        </vscode-single-select>
        <vscode-textfield
          placeholder="Filter by name or id"
          aria-label="Filter jobs by name or id"
          .value=${this.text}
          @input=${(e: Event) => (this.text = (e.target as HTMLInputElement).value)}
        ></vscode-textfield>
      </div>
      <ul class="job-list" aria-label="Jobs, newest first">
        ${jobs.map((j, i) => {
          const ms = elapsedMs(j.startedAt, j.finishedAt, this.now);
          return html`<li>
            <button
              class="job-row ${j.id === this.selected ? 'selected' : ''}"
              data-job-id=${j.id}
              aria-current=${j.id === this.selected ? 'true' : 'false'}
              aria-label="${j.name}, ${STATE_LABEL[j.state]}, created ${formatAgo(j.createdAt, this.now)}"
              @click=${() => this.select(j)}
              @keydown=${(e: KeyboardEvent) => this.onKey(e, jobs, i)}
            >
              <span class="state-dot state-${j.state}" aria-hidden="true"></span>
              <span class="job-name">${j.name}</span>
              <span class="pill state-${j.state}">${STATE_LABEL[j.state]}</span>
              <span class="job-meta muted small">
                <code>${shortId(j.id)}</code> ·
                ${formatAgo(j.createdAt, this.now)}${ms === undefined ? '' : ` · ${formatDuration(ms)}`}
              </span>
              ${this.stepBar(j)}
            </button>
          </li>`;
        })}
      </ul>
      ${
        jobs.length === 0
          ? html`<p class="empty">
              ${this.filter === 'all' && !this.text ? 'No jobs yet. Submit a pipeline to see it here.' : 'No jobs match the filter.'}
            </p>`
          : nothing
      }
      ${
        this.store.nextJobsCursor
          ? html`<vscode-button
              secondary
              class="load-more"
              @click=${() => this.dispatchEvent(new CustomEvent('load-more', { bubbles: true }))}
              >Load older jobs</vscode-button
            >`
          : nothing
      }`;
  }
}
customElements.define('orchion-job-list', JobList);
