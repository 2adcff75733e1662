// One job: its state and actions, then tabs for the step timeline and table, the live log, and the pipeline with
// its inputs and outputs.
import { html, nothing } from 'lit';
import type { JobView, StepView } from '@orchion/api';
import type { DashboardController } from '../controller';
import type { DashboardStore } from '../data/store';
import { elapsedMs, formatAgo, formatDuration, shortId, tokensPerSecond } from '../data/format';
import type { JobTab } from '../router';
import { LightElement, STATE_LABEL } from './base';
import './log-view';
import { stepTimelineChart } from './step-timeline';

const TABS: JobTab[] = ['steps', 'logs', 'pipeline'];
const TAB_LABEL: Record<JobTab, string> = { steps: 'Steps', logs: 'Logs', pipeline: 'Pipeline' };
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export class JobDetail extends LightElement {
  static override properties = {
    store: { attribute: false },
    controller: { attribute: false },
    jobId: { type: String },
    tab: { type: String },
    version: { type: Number },
    now: { type: Number },
    inVsCode: { type: Boolean },
    loadError: { state: true },
  };
  declare store: DashboardStore;
  declare controller: DashboardController;
  declare jobId: string;
  declare tab: JobTab;
  declare version: number;
  declare now: number;
  declare inVsCode: boolean;
  declare loadError: string | undefined;

  private loadedFor: string | undefined;

  protected override willUpdate(): void {
    if (this.jobId && this.jobId !== this.loadedFor) {
      this.loadedFor = this.jobId;
      this.loadError = undefined;
      const id = this.jobId;
      this.controller.openJob(id).catch((err: Error) => {
        if (this.jobId === id) this.loadError = err.message;
      });
    }
  }

  private setTab(tab: JobTab): void {
    this.dispatchEvent(new CustomEvent('job-tab', { detail: { tab }, bubbles: true }));
  }

  private onTabKey(e: KeyboardEvent): void {
    const i = TABS.indexOf(this.tab);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : -1;
    if (next < 0 && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const tab = TABS[(next + TABS.length) % TABS.length]!;
    this.setTab(tab);
    this.updateComplete.then(() => this.querySelector<HTMLElement>(`#tab-${tab}`)?.focus());
  }

  private stepRow(s: StepView, job: JobView) {
    const a = s.attempts[s.attempts.length - 1];
    const ms = elapsedMs(s.startedAt, s.finishedAt, this.now);
    const rate = tokensPerSecond(s.result);
    const node = a?.nodeId ? this.store.node(a.nodeId) : undefined;
    return html`<tr class="state-${s.state}">
      <th scope="row"><span class="state-dot state-${s.state}" aria-hidden="true"></span>${s.id}</th>
      <td><span class="pill state-${s.state}">${STATE_LABEL[s.state]}</span></td>
      <td>${s.model}${s.runtime ? html`<span class="muted small"> · ${s.runtime}</span>` : nothing}</td>
      <td>${node ? node.hostname : a?.nodeId ? shortId(a.nodeId) : '–'}</td>
      <td class="num">${s.attempts.length}</td>
      <td class="num">${ms === undefined ? '–' : formatDuration(ms)}</td>
      <td class="num">${rate === undefined ? '–' : rate.toFixed(1)}</td>
      <td class="why">
        ${s.error ? html`<span class="error">${s.error}</span>` : nothing}
        ${!s.error && s.waitingFor ? html`<span class="muted">${s.waitingFor}</span>` : nothing}
        ${
          this.inVsCode
            ? html`<vscode-button
                secondary
                aria-label="Reveal step ${s.id} in the pipeline file"
                @click=${() => this.controller.command('orchion.revealStep', [job.id, s.id])}
                >Reveal</vscode-button
              >`
            : nothing
        }
      </td>
    </tr>`;
  }

  private steps(job: JobView) {
    return html`${stepTimelineChart(job, job.stepDetails, this.now)}
      <table class="steps-table">
        <caption class="visually-hidden">
          Steps of ${job.name}
        </caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">State</th>
            <th scope="col">Model</th>
            <th scope="col">Node</th>
            <th scope="col" class="num">Attempts</th>
            <th scope="col" class="num">Duration</th>
            <th scope="col" class="num">Tokens/s</th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          ${job.stepDetails.map((s) => this.stepRow(s, job))}
        </tbody>
      </table>`;
  }

  private pipeline(job: JobView) {
    return html`<h4>Inputs</h4>
      <pre class="code">${JSON.stringify(job.inputs, null, 2)}</pre>
      ${
        job.outputs
          ? html`<h4>Outputs</h4>
              <pre class="code">${JSON.stringify(job.outputs, null, 2)}</pre>`
          : nothing
      }
      <h4>Pipeline</h4>
      <pre class="code">${job.pipeline}</pre>`;
  }

  protected override render() {
    const job = this.store.jobDetail(this.jobId);
    if (!job) {
      return html`<div class="detail-empty">
        ${this.loadError ? html`<p class="error">Could not load job ${this.jobId}: ${this.loadError}</p>` : html`<vscode-progress-ring aria-label="Loading the job"></vscode-progress-ring>`}
      </div>`;
    }
    const ms = elapsedMs(job.startedAt, job.finishedAt, this.now);
    const tab = this.tab ?? 'steps';
    return html`<header class="detail-head">
        <div>
          <h2 class="job-title">
            <span class="state-dot state-${job.state}" aria-hidden="true"></span>${job.name}
            <span class="pill state-${job.state}" data-testid="job-state">${STATE_LABEL[job.state]}</span>
          </h2>
          <p class="muted small">
            <code title="Job id">${job.id}</code> · created
            ${formatAgo(job.createdAt, this.now)}${
              ms === undefined
                ? ''
                : ` · ${TERMINAL.has(job.state) ? 'took' : 'running for'} ${formatDuration(ms)}`
            }
          </p>
          ${job.error ? html`<p class="error">${job.error}</p>` : nothing}
        </div>
        <div class="actions">
          ${
            TERMINAL.has(job.state)
              ? nothing
              : html`<vscode-button secondary @click=${() => this.controller.cancelJob(job.id)}
                  >Cancel</vscode-button
                >`
          }
          <vscode-button
            secondary
            @click=${async () => {
              const created = await this.controller.rerunJob(job.id);
              if (created)
                this.dispatchEvent(
                  new CustomEvent('job-select', { detail: { id: created.id }, bubbles: true }),
                );
            }}
            >Rerun</vscode-button
          >
        </div>
      </header>
      <div
        class="tabbar"
        role="tablist"
        aria-label="Job views"
        @keydown=${(e: KeyboardEvent) => this.onTabKey(e)}
      >
        ${TABS.map(
          (t) =>
            html`<button
              role="tab"
              id="tab-${t}"
              class="tab ${t === tab ? 'active' : ''}"
              aria-selected=${t === tab ? 'true' : 'false'}
              aria-controls="panel-${t}"
              tabindex=${t === tab ? 0 : -1}
              @click=${() => this.setTab(t)}
            >
              ${TAB_LABEL[t]}
            </button>`,
        )}
      </div>
      <div class="tabpanel" role="tabpanel" id="panel-${tab}" aria-labelledby="tab-${tab}">
        ${
          tab === 'steps'
            ? this.steps(job)
            : tab === 'logs'
              ? html`<orchion-log-view
                  .controller=${this.controller}
                  jobId=${job.id}
                  now=${this.now}
                ></orchion-log-view>`
              : this.pipeline(job)
        }
      </div>`;
  }
}
customElements.define('orchion-job-detail', JobDetail);
