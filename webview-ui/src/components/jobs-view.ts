// Jobs: the list on the left, the selected job on the right (stacked on narrow screens).
import { html } from 'lit';
import type { DashboardController } from '../controller';
import type { DashboardStore } from '../data/store';
import type { JobTab } from '../router';
import { LightElement } from './base';
import './job-detail';
import './job-list';

export class JobsView extends LightElement {
  static override properties = {
    store: { attribute: false },
    controller: { attribute: false },
    version: { type: Number },
    now: { type: Number },
    jobId: { type: String },
    tab: { type: String },
    inVsCode: { type: Boolean },
  };
  declare store: DashboardStore;
  declare controller: DashboardController;
  declare version: number;
  declare now: number;
  declare jobId: string | undefined;
  declare tab: JobTab | undefined;
  declare inVsCode: boolean;

  protected override render() {
    return html`<div class="jobs-layout">
      <section class="jobs-list-pane" aria-label="Job queue and history">
        <orchion-job-list
          .store=${this.store}
          version=${this.version}
          now=${this.now}
          .selected=${this.jobId}
          @load-more=${() => this.controller.loadMoreJobs()}
        ></orchion-job-list>
      </section>
      <section class="job-detail-pane" aria-label="Job detail">
        ${
          this.jobId
            ? html`<orchion-job-detail
                .store=${this.store}
                .controller=${this.controller}
                jobId=${this.jobId}
                tab=${this.tab ?? 'steps'}
                version=${this.version}
                now=${this.now}
                ?inVsCode=${this.inVsCode}
              ></orchion-job-detail>`
            : html`<p class="empty">Select a job to see its steps and logs.</p>`
        }
      </section>
    </div>`;
  }
}
customElements.define('orchion-jobs-view', JobsView);
