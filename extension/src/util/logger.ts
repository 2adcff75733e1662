// The extension's own log: the "Orchion" LogOutputChannel, filtered by the `orchion.logLevel` setting.
import * as vscode from 'vscode';

const ORDER = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 } as const;
export type Level = keyof typeof ORDER;

export class Logger implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private min: Level = 'info';

  constructor() {
    this.channel = vscode.window.createOutputChannel('Orchion', { log: true });
  }

  setLevel(level: string): void {
    this.min = level in ORDER ? (level as Level) : 'info';
  }

  log(level: Level, message: string): void {
    if (ORDER[level] < ORDER[this.min]) return;
    this.channel[level](message);
  }

  trace(message: string): void {
    this.log('trace', message);
  }
  debug(message: string): void {
    this.log('debug', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  warn(message: string): void {
    this.log('warn', message);
  }
  error(message: string): void {
    this.log('error', message);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
