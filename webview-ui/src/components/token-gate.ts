// The browser dashboard asks for the API token once (kept in localStorage; "Sign out" forgets it).
import { html, nothing } from 'lit';
import { LightElement } from './base';

export class TokenGate extends LightElement {
  static override properties = {
    error: { type: String },
    busy: { type: Boolean },
  };
  declare error: string | undefined;
  declare busy: boolean;

  private submit(e: Event): void {
    e.preventDefault();
    const field = this.querySelector<HTMLInputElement>('#token');
    const token = field?.value.trim() ?? '';
    if (!token) {
      this.error = 'Enter the API token.';
      return;
    }
    this.dispatchEvent(new CustomEvent('token', { detail: { token }, bubbles: true }));
  }

  protected override firstUpdated(): void {
    this.querySelector<HTMLElement>('#token')?.focus();
  }

  protected override render() {
    return html`<form
      class="card token-gate"
      @submit=${(e: Event) => this.submit(e)}
      aria-labelledby="gate-title"
    >
      <h2 id="gate-title">Connect to the orchestrator</h2>
      <p class="muted">
        Paste the API token: <code>admin.token</code> in the orchestrator's data dir (printed at its first
        start). It stays in this browser until you sign out.
      </p>
      <label for="token" class="field-label">API token</label>
      <vscode-textfield
        id="token"
        type="password"
        name="token"
        autocomplete="off"
        aria-describedby=${this.error ? 'gate-error' : nothing}
        ?invalid=${!!this.error}
        @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.submit(e)}
      ></vscode-textfield>
      ${this.error ? html`<p id="gate-error" class="error" role="alert">${this.error}</p>` : nothing}
      <vscode-button type="submit" ?disabled=${this.busy} @click=${(e: Event) => this.submit(e)}
        >Connect</vscode-button
      >
    </form>`;
  }
}
customElements.define('orchion-token-gate', TokenGate);
