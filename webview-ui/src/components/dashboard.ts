// <orchion-dashboard>: the shell. Owns the store and the controller over the Transport it is given; header with
// the live state and totals, Cluster and Jobs tabs, routing, the browser's token prompt and theme toggle.
import { html, nothing } from 'lit';
import { DashboardController } from '../controller';
import { DashboardStore } from '../data/store';
import { formatRoute, parseRoute, type Route } from '../router';
import type { BrowserTransport } from '../transport/browser-transport';
import type { LiveState } from '../transport/live-stream';
import type { Transport } from '../transport/transport';
import { LightElement } from './base';
import './cluster-view';
import './jobs-view';
import './theme-toggle';
import './token-gate';

const LIVE_LABEL: Record<LiveState, string> = {
  connecting: 'Connecting…',
  open: 'Live',
  retrying: 'Reconnecting…',
  ended: 'Stopped',
};

export class OrchionDashboard extends LightElement {
  static override properties = {
    transport: { attribute: false },
    route: { state: true },
    version: { state: true },
    now: { state: true },
    live: { state: true },
    liveDetail: { state: true },
    needsToken: { state: true },
    tokenError: { state: true },
    error: { state: true },
  };
  declare transport: Transport;
  declare route: Route;
  declare version: number;
  declare now: number;
  declare live: LiveState;
  declare liveDetail: string | undefined;
  declare needsToken: boolean;
  declare tokenError: string | undefined;
  declare error: string | undefined;

  readonly store = new DashboardStore();
  private controller: DashboardController | undefined;
  private frame = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly cleanups: (() => void)[] = [];

  constructor() {
    super();
    this.version = 0;
    this.now = Date.now();
    this.live = 'connecting';
    this.needsToken = false;
    this.route = { view: 'cluster' };
  }

  private get browser(): BrowserTransport | undefined {
    return this.transport?.kind === 'browser' ? (this.transport as BrowserTransport) : undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.transport) throw new Error('<orchion-dashboard> needs its transport before it is attached');
    if (this.transport.kind === 'browser') {
      this.route = parseRoute(location.pathname);
      const onPop = (): void => {
        this.route = parseRoute(location.pathname);
      };
      window.addEventListener('popstate', onPop);
      this.cleanups.push(() => window.removeEventListener('popstate', onPop));
    }
    this.cleanups.push(
      this.store.subscribe(() => {
        if (!this.frame)
          this.frame = requestAnimationFrame(() => {
            this.frame = 0;
            this.version = this.store.version;
          });
      }),
    );
    this.ticker = setInterval(() => (this.now = Date.now()), 1000);
    this.controller = new DashboardController(this.transport, this.store, {
      liveState: (s, detail) => {
        this.live = s;
        this.liveDetail = detail;
      },
      error: (message) => (this.error = message),
    });
    const browser = this.browser;
    if (browser) {
      this.cleanups.push(
        browser.onUnauthorized(() => {
          this.controller?.stop();
          this.tokenError = browser.hasToken ? 'The orchestrator refused this token.' : undefined;
          browser.setToken(null);
          this.needsToken = true;
        }),
      );
      if (!browser.hasToken) {
        this.needsToken = true;
        return;
      }
    }
    this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.controller?.stop();
    clearInterval(this.ticker);
    cancelAnimationFrame(this.frame);
    for (const c of this.cleanups.splice(0)) c();
  }

  private start(): void {
    this.error = undefined;
    this.controller!.start().catch(() => undefined);
  }

  private onToken(token: string): void {
    this.browser?.setToken(token);
    this.tokenError = undefined;
    this.needsToken = false;
    this.start();
  }

  private signOut(): void {
    this.controller?.stop();
    this.browser?.setToken(null);
    this.tokenError = undefined;
    this.needsToken = true;
  }

  private go(route: Route): void {
    this.route = route;
    if (this.transport.kind === 'browser') {
      const path = formatRoute(route);
      if (location.pathname !== path) history.pushState(null, '', path);
    }
  }

  /** Left and right arrows move between the Cluster and Jobs tabs (the WAI-ARIA tabs pattern). */
  private onTabKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next = this.route.view === 'cluster' ? 'jobs' : 'cluster';
    this.go({ view: next });
    void this.updateComplete.then(() => this.querySelector<HTMLElement>(`#tab-${next}`)?.focus());
  }

  private header() {
    const { nodes, jobs } = this.store.counts();
    return html`<header class="app-header">
      <h1 class="brand">Orchion</h1>
      <span class="live live-${this.live}" role="status" title=${this.liveDetail ?? ''}>
        <span class="live-dot" aria-hidden="true"></span>${LIVE_LABEL[this.live]}
      </span>
      ${
        this.live === 'retrying'
          ? html`<vscode-button secondary @click=${() => this.controller?.retryNow()}
              >Retry now</vscode-button
            >`
          : nothing
      }
      <span class="header-stats muted small">
        ${nodes.ready ?? 0} of ${this.store.nodes().length} nodes ready · ${jobs.running ?? 0} running ·
        ${jobs.queued ?? 0} queued
      </span>
      <span class="spacer"></span>
      ${
        this.browser
          ? html`<orchion-theme-toggle></orchion-theme-toggle>
              ${this.needsToken ? nothing : html`<vscode-button secondary @click=${() => this.signOut()}>Sign out</vscode-button>`}`
          : nothing
      }
    </header>`;
  }

  protected override render() {
    if (this.needsToken) {
      return html`${this.header()}
        <main class="gate-main">
          <orchion-token-gate
            .error=${this.tokenError}
            @token=${(e: CustomEvent<{ token: string }>) => this.onToken(e.detail.token)}
          ></orchion-token-gate>
        </main>`;
    }
    const active = this.store.counts().jobs;
    const route = this.route;
    return html`${this.header()}
      ${
        this.error
          ? html`<div class="banner error" role="alert">
              <span>${this.error}</span>
              <vscode-button secondary @click=${() => this.start()}>Retry</vscode-button>
              <vscode-button secondary aria-label="Dismiss" @click=${() => (this.error = undefined)}
                >×</vscode-button
              >
            </div>`
          : nothing
      }
      <nav
        class="tabbar main-tabs"
        role="tablist"
        aria-label="Dashboard sections"
        @keydown=${(e: KeyboardEvent) => this.onTabKey(e)}
      >
        <button
          role="tab"
          id="tab-cluster"
          aria-controls="main-panel"
          tabindex=${route.view === 'cluster' ? 0 : -1}
          class="tab ${route.view === 'cluster' ? 'active' : ''}"
          aria-selected=${route.view === 'cluster' ? 'true' : 'false'}
          @click=${() => this.go({ view: 'cluster' })}
        >
          Cluster
        </button>
        <button
          role="tab"
          id="tab-jobs"
          aria-controls="main-panel"
          tabindex=${route.view === 'jobs' ? 0 : -1}
          class="tab ${route.view === 'jobs' ? 'active' : ''}"
          aria-selected=${route.view === 'jobs' ? 'true' : 'false'}
          @click=${() => this.go(route.view === 'jobs' ? route : { view: 'jobs' })}
        >
          Jobs
          ${
            (active.running ?? 0) + (active.queued ?? 0) > 0
              ? html`<vscode-badge variant="counter" aria-label="active jobs"
                  >${(active.running ?? 0) + (active.queued ?? 0)}</vscode-badge
                >`
              : nothing
          }
        </button>
      </nav>
      <main class="app-main" role="tabpanel" id="main-panel" aria-labelledby="tab-${route.view}">
        ${
          route.view === 'cluster'
            ? html`<orchion-cluster-view
                .store=${this.store}
                version=${this.version}
                now=${this.now}
              ></orchion-cluster-view>`
            : html`<orchion-jobs-view
                .store=${this.store}
                .controller=${this.controller!}
                version=${this.version}
                now=${this.now}
                .jobId=${route.jobId}
                .tab=${route.tab}
                ?inVsCode=${this.transport.kind === 'vscode'}
                @job-select=${(e: CustomEvent<{ id: string }>) => this.go({ view: 'jobs', jobId: e.detail.id, tab: route.tab })}
                @job-tab=${(e: CustomEvent<{ tab: 'steps' | 'logs' | 'pipeline' }>) =>
                  this.go({ view: 'jobs', jobId: route.jobId, tab: e.detail.tab })}
              ></orchion-jobs-view>`
        }
      </main>`;
  }
}
customElements.define('orchion-dashboard', OrchionDashboard);
