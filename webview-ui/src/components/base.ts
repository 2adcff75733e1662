// The dashboard's own elements render into the light DOM, so the one stylesheet (dashboard.css, loaded by a
// <link> the CSP allows) styles them all; the vscode-elements components keep their shadow DOM.
import { LitElement } from 'lit';

export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}

/** A state's CSS class suffix and its words for screen readers. */
export const STATE_LABEL: Record<string, string> = {
  ready: 'Ready',
  stale: 'Stale',
  offline: 'Offline',
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  lost: 'Lost',
};
