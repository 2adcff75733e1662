// Light / dark / system theme for the browser dashboard (VS Code brings its own theme variables).
import { html } from 'lit';
import { LightElement } from './base';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'orchion.theme';
const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<ThemeChoice, string> = {
  system: 'Theme: system',
  light: 'Theme: light',
  dark: 'Theme: dark',
};

export function applyTheme(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

export function storedTheme(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

export class ThemeToggle extends LightElement {
  static override properties = { choice: { state: true } };
  declare choice: ThemeChoice;

  constructor() {
    super();
    this.choice = storedTheme();
  }

  private cycle(): void {
    this.choice = NEXT[this.choice];
    localStorage.setItem(KEY, this.choice);
    applyTheme(this.choice);
  }

  protected override render() {
    return html`<vscode-button
      secondary
      class="theme-toggle"
      aria-label="${LABEL[this.choice]} (change)"
      @click=${() => this.cycle()}
      >${LABEL[this.choice]}</vscode-button
    >`;
  }
}
customElements.define('orchion-theme-toggle', ThemeToggle);
