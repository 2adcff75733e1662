// Orchion: Create Pipeline from Template — writes `<name>.orchion.yaml` into the workspace and opens it.
// Called with (templateId, name) it asks nothing (an existing file is then left alone).
import * as vscode from 'vscode';
import type { Services } from '../services';
import { pipelineTools } from '../util/lazy';

const NAME = /^[a-z0-9][a-z0-9-]*$/i;

export function createPipelineCommand(_s: Services) {
  return async (templateArg?: unknown, nameArg?: unknown): Promise<vscode.Uri | undefined> => {
    const tools = pipelineTools();
    const given = tools.TEMPLATES.find((t) => t.id === templateArg);
    const programmatic = given !== undefined && typeof nameArg === 'string' && NAME.test(nameArg);
    const template = programmatic
      ? given
      : await vscode.window.showQuickPick(
          tools.TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, id: t.id })),
          { title: 'Create a pipeline from a template' },
        );
    if (!template) return undefined;
    const name = programmatic
      ? (nameArg as string)
      : await vscode.window.showInputBox({
          title: 'Pipeline name',
          prompt: 'Letters, digits and dashes; the file is <name>.orchion.yaml',
          value: template.id,
          validateInput: (v) => (NAME.test(v) ? undefined : 'Use letters, digits and dashes'),
        });
    if (!name) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = folder
      ? vscode.Uri.joinPath(folder, `${name}.orchion.yaml`)
      : await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(`${name}.orchion.yaml`) });
    if (!target) return undefined;
    try {
      await vscode.workspace.fs.stat(target);
      if (programmatic) return undefined;
      const overwrite = await vscode.window.showWarningMessage(
        `${vscode.workspace.asRelativePath(target)} exists. Replace it?`,
        { modal: true },
        'Replace',
      );
      if (!overwrite) return undefined;
    } catch {
      // does not exist yet
    }
    await vscode.workspace.fs.writeFile(
      target,
      new TextEncoder().encode(tools.pipelineTemplate(template.id, name)),
    );
    await vscode.window.showTextDocument(target);
    return target;
  };
}
