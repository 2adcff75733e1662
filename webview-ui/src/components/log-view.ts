// A job's live log: stored entries, then tokens and lines as they come (resuming after drops), with search
// (every match highlighted, Enter / Shift+Enter to move between them), follow mode and a tokens/s chart.
import { html, nothing, type PropertyValues } from 'lit';
import type { LogEntry } from '@orchion/api';
import type { DashboardController } from '../controller';
import { LogBuffer, highlightParts, type LogBlock, type SearchMatch } from '../data/log-buffer';
import { bucketCounts } from '../data/series';
import type { LiveState, LiveStream } from '../transport/live-stream';
import { LightElement } from './base';
import { barStrip } from './charts';

const STREAM_LABEL: Record<LiveState, string> = {
  connecting: 'Connecting…',
  open: 'Live',
  retrying: 'Reconnecting…',
  ended: 'Complete',
};

export class LogView extends LightElement {
  static override properties = {
    controller: { attribute: false },
    jobId: { type: String },
    now: { type: Number },
    query: { state: true },
    current: { state: true },
    follow: { state: true },
    streamState: { state: true },
    revision: { state: true },
  };
  declare controller: DashboardController;
  declare jobId: string;
  declare now: number;
  declare query: string;
  declare current: number;
  declare follow: boolean;
  declare streamState: LiveState;
  /** Bumped when entries arrive (at most once a frame). */
  declare revision: number;

  private buffer = new LogBuffer();
  private stream: LiveStream | undefined;
  private openedFor: string | undefined;
  private frame = 0;
  private found: SearchMatch[] = [];
  private scrollToCurrent = false;

  constructor() {
    super();
    this.query = '';
    this.current = 0;
    this.follow = true;
    this.streamState = 'connecting';
    this.revision = 0;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stream?.close();
    this.stream = undefined;
    this.openedFor = undefined;
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.jobId && this.jobId !== this.openedFor) this.open();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('jobId') && this.isConnected && this.jobId !== this.openedFor) this.open();
    if (changed.has('query') || changed.has('revision')) {
      this.found = this.buffer.search(this.query);
      if (changed.has('query')) {
        this.current = 0;
        this.scrollToCurrent = true;
      }
      if (this.current >= this.found.length) this.current = Math.max(0, this.found.length - 1);
    }
  }

  private open(): void {
    this.stream?.close();
    this.openedFor = this.jobId;
    this.buffer = new LogBuffer();
    this.found = [];
    this.revision++;
    this.stream = this.controller.followLogs(
      this.jobId,
      (entries: LogEntry[]) => {
        this.buffer.append(entries);
        if (!this.frame)
          this.frame = requestAnimationFrame(() => {
            this.frame = 0;
            this.revision++;
          });
      },
      (state) => (this.streamState = state),
    );
  }

  protected override updated(): void {
    const box = this.querySelector<HTMLElement>('.log-lines');
    if (!box) return;
    if (this.scrollToCurrent) {
      this.scrollToCurrent = false;
      box.querySelector('mark.current')?.scrollIntoView({ block: 'center' });
    } else if (this.follow) {
      box.scrollTop = box.scrollHeight;
    }
  }

  private move(delta: number): void {
    if (!this.found.length) return;
    this.current = (this.current + delta + this.found.length) % this.found.length;
    this.follow = false;
    this.scrollToCurrent = true;
  }

  private onScroll(e: Event): void {
    const box = e.target as HTMLElement;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
    if (this.follow !== atBottom) this.follow = atBottom;
  }

  private block(
    b: LogBlock,
    index: number,
    byBlock: Map<number, { start: number; end: number; current: boolean }[]>,
  ) {
    const prev = index > 0 ? this.buffer.blocks[index - 1] : undefined;
    const showStep = b.stepId && (prev?.stepId !== b.stepId || prev?.attemptId !== b.attemptId);
    const parts = highlightParts(b.text, byBlock.get(index) ?? []);
    return html`${showStep ? html`<div class="log-step" role="heading" aria-level="4">step ${b.stepId}</div>` : nothing}
      <div class="log-block kind-${b.kind} ${b.level ? `level-${b.level}` : ''}" data-kind=${b.kind}>
        ${b.kind === 'token' ? nothing : html`<span class="log-time">${b.time.slice(11, 23)}</span>`}
        <span class="log-text"
          >${parts.map((p) => (p.match ? html`<mark class=${p.current ? 'current' : ''}>${p.text}</mark>` : p.text))}</span
        >
      </div>`;
  }

  protected override render() {
    const byBlock = new Map<number, { start: number; end: number; current: boolean }[]>();
    this.found.forEach((m, i) => {
      let list = byBlock.get(m.block);
      if (!list) byBlock.set(m.block, (list = []));
      list.push({ start: m.start, end: m.end, current: i === this.current });
    });
    const perSecond = bucketCounts(this.buffer.tokenTimestamps(), this.now, 1000, 60);
    const rate = this.buffer.tokenRate(this.now);
    return html`<div class="log-tools" role="search">
        <vscode-textfield
          class="log-search"
          type="search"
          placeholder="Search the log"
          aria-label="Search the log"
          .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter') this.move(e.shiftKey ? -1 : 1);
            if (e.key === 'Escape') this.query = '';
          }}
        ></vscode-textfield>
        <span class="match-count small" aria-live="polite"
          >${this.query ? (this.found.length ? `${this.current + 1} of ${this.found.length}` : 'no matches') : ''}</span
        >
        <vscode-button
          secondary
          ?disabled=${!this.found.length}
          aria-label="Previous match"
          @click=${() => this.move(-1)}
          >↑</vscode-button
        >
        <vscode-button
          secondary
          ?disabled=${!this.found.length}
          aria-label="Next match"
          @click=${() => this.move(1)}
          >↓</vscode-button
        >
        <vscode-checkbox
          .checked=${this.follow}
          @change=${(e: Event) => (this.follow = (e.target as HTMLInputElement).checked)}
          >Follow</vscode-checkbox
        >
        <span class="spacer"></span>
        ${barStrip(perSecond, {
          label: `Tokens per second over the last minute, now ${rate.toFixed(1)}`,
          width: 120,
          height: 22,
        })}
        <span class="small muted token-rate"
          >${rate.toFixed(1)} tok/s · ${this.buffer.totalTokens} tokens</span
        >
        <span class="pill stream-${this.streamState}" aria-live="polite"
          >${STREAM_LABEL[this.streamState]}</span
        >
      </div>
      ${this.buffer.dropped ? html`<p class="muted small">${this.buffer.dropped} older blocks not shown.</p>` : nothing}
      <div
        class="log-lines"
        role="log"
        aria-label="Job log"
        tabindex="0"
        @scroll=${(e: Event) => this.onScroll(e)}
      >
        ${
          this.buffer.blocks.length === 0
            ? html`<p class="muted">
                ${this.streamState === 'ended' ? 'This job wrote no log.' : 'Waiting for output…'}
              </p>`
            : this.buffer.blocks.map((b, i) => this.block(b, i, byBlock))
        }
      </div>`;
  }
}
customElements.define('orchion-log-view', LogView);
