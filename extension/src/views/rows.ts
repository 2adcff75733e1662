// The shape of a tree row, independent of VS Code: pure models build rows and the tree adapters turn them into
// TreeItems. Icons are codicon ids with an optional theme colour id.

export interface RowIcon {
  id: string;
  color?: string;
}

export interface RowCommand {
  command: string;
  title: string;
  arguments?: unknown[];
}

export type RowKind = 'node' | 'detail' | 'job' | 'step' | 'attempt' | 'error' | 'loading';

export interface Row {
  /** Stable across refreshes (VS Code keeps expansion state by id). */
  id: string;
  kind: RowKind;
  label: string;
  description?: string;
  tooltip?: string;
  icon?: RowIcon;
  /** Encodes kind and state for menus, e.g. `job.running`, `node.ready`, `step.failed`. */
  contextValue?: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  command?: RowCommand;
  /** Children known up front (node details). Rows with `collapsible` but no `children` load them lazily. */
  children?: Row[];
  /** The job and step a row belongs to (for commands run on it). */
  jobId?: string;
  stepId?: string;
  nodeId?: string;
}

/** A row that says a request failed, with a retry command (never an endless spinner). */
export function errorRow(id: string, message: string): Row {
  return {
    id,
    kind: 'error',
    label: message,
    tooltip: `${message}\nClick to retry.`,
    icon: { id: 'error', color: 'errorForeground' },
    contextValue: 'error',
    collapsible: 'none',
    command: { command: 'orchion.refresh', title: 'Retry' },
  };
}

export function loadingRow(id: string): Row {
  return { id, kind: 'loading', label: 'Loading…', icon: { id: 'loading~spin' }, collapsible: 'none' };
}
