// A TreeDataProvider over pure Row models. It refreshes only while its view is visible: changes that arrive
// while hidden mark it stale, and it redraws once when it is shown again. Redraws are batched.
import * as vscode from 'vscode';
import type { Row } from './rows';

export interface RowSource {
  roots(): Row[] | Promise<Row[]>;
  /** Children of rows without `children` (lazily loaded, e.g. a job's steps). */
  children?(row: Row): Row[] | Promise<Row[]>;
}

const COLLAPSIBLE = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
} as const;

export class RowTree implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Row | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<Row>;
  private stale = false;
  /** How many times the tree was redrawn (the test API reads it). */
  redraws = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    viewId: string,
    private readonly source: RowSource,
    private readonly batchMs = 100,
  ) {
    this.view = vscode.window.createTreeView(viewId, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      this.view.onDidChangeVisibility((e) => {
        if (e.visible && this.stale) this.refresh();
      }),
    );
  }

  /** Redraws soon if visible; otherwise once the view is shown. */
  refresh(): void {
    if (!this.view.visible) {
      this.stale = true;
      return;
    }
    this.stale = false;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.redraws++;
      this.changed.fire(undefined);
    }, this.batchMs);
  }

  getTreeItem(row: Row): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, COLLAPSIBLE[row.collapsible]);
    item.id = row.id;
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.contextValue = row.contextValue;
    if (row.icon)
      item.iconPath = new vscode.ThemeIcon(
        row.icon.id,
        row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined,
      );
    if (row.command) item.command = row.command;
    return item;
  }

  async getChildren(row?: Row): Promise<Row[]> {
    if (!row) return this.source.roots();
    if (row.children) return row.children;
    return this.source.children ? this.source.children(row) : [];
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
