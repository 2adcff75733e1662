// Errors reach the user as one notification with the actions that help (never a stack trace); the details go
// to the "Orchion" log.
import * as vscode from 'vscode';
import { ACTION_TITLES, describeError, type ErrorAction } from './error-message';
import type { Logger } from './logger';

const ACTION_COMMANDS: Record<ErrorAction, string | undefined> = {
  connect: 'orchion.connect',
  startLocalCluster: 'orchion.startLocalCluster',
  showProblems: 'workbench.actions.view.problems',
  showLog: undefined,
  retry: undefined,
};

export async function notifyError(
  log: Logger,
  doing: string,
  err: unknown,
  retry?: () => unknown,
): Promise<void> {
  const { message, actions } = describeError(doing, err);
  log.error(`${message}${err instanceof Error && err.stack ? `\n${err.stack}` : ''}`);
  const all: ErrorAction[] = retry ? ['retry', ...actions] : actions;
  const picked = await vscode.window.showErrorMessage(message, ...all.map((a) => ACTION_TITLES[a]));
  const action = all.find((a) => ACTION_TITLES[a] === picked);
  if (!action) return;
  if (action === 'retry') await retry?.();
  else if (action === 'showLog') log.channel.show(true);
  else await vscode.commands.executeCommand(ACTION_COMMANDS[action]!);
}
