// Orchion: Copy Job ID.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { jobIdOf } from './args';
import { pickJob } from './pickers';

export function copyJobIdCommand(s: Services) {
  return async (arg?: unknown): Promise<string | undefined> => {
    const id = jobIdOf(arg) ?? (await pickJob(s, 'Copy job ID'))?.id;
    if (!id) return undefined;
    await vscode.env.clipboard.writeText(id);
    void vscode.window.setStatusBarMessage(`Copied job ID ${id}`, 3000);
    return id;
  };
}
