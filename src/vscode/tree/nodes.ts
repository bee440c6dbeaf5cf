import * as vscode from 'vscode';
import { InsightError, oneLine } from '../../core/errors';

/**
 * Tree nodes own their children. Ids are paths of backend ids (`/source/<id>/insight/<id>`),
 * never labels, so two insights with the same name never collide and "Load more" keeps ids stable.
 */
export abstract class TreeNode {
  constructor(
    readonly id: string,
    readonly parent?: TreeNode,
  ) {}
  abstract treeItem(): vscode.TreeItem | Promise<vscode.TreeItem>;
  children(): Promise<TreeNode[]> {
    return Promise.resolve([]);
  }
}

/** What a node shows: every tree item of the view is made from one of these by itemOf. */
export interface ItemSpec {
  label: string;
  /** Collapsed (has children), expanded, or a leaf (default). */
  state?: 'collapsed' | 'expanded';
  /** A codicon id, or a themed icon. */
  icon?: string | vscode.ThemeIcon;
  description?: string;
  tooltip?: string | vscode.MarkdownString;
  /** The menus' key (package.json `viewItem` clauses). */
  contextValue: string;
  command?: vscode.Command;
}

/** The tree item of `node` (its id is the node's path id). */
export function itemOf(node: TreeNode, spec: ItemSpec): vscode.TreeItem {
  const state =
    spec.state === 'collapsed'
      ? vscode.TreeItemCollapsibleState.Collapsed
      : spec.state === 'expanded'
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.None;
  const item = new vscode.TreeItem(spec.label, state);
  item.id = node.id;
  if (spec.icon !== undefined) item.iconPath = typeof spec.icon === 'string' ? new vscode.ThemeIcon(spec.icon) : spec.icon;
  if (spec.description !== undefined) item.description = spec.description;
  if (spec.tooltip !== undefined) item.tooltip = spec.tooltip;
  item.contextValue = spec.contextValue;
  if (spec.command) item.command = spec.command;
  return item;
}

/**
 * The children a node loads from its platform: a message when there are none, and the failure
 * (with the action that fixes it) in their place when loading fails.
 */
export async function loadedChildren(
  node: TreeNode,
  sourceId: string,
  load: () => Promise<TreeNode[]>,
  empty: string,
): Promise<TreeNode[]> {
  try {
    const kids = await load();
    return kids.length > 0 ? kids : [new MessageNode(`${node.id}/empty`, node, empty)];
  } catch (e) {
    return [new ErrorNode(node, e, sourceId)];
  }
}

/**
 * A collapsed group whose children are loaded from the platform when it is expanded, through
 * `loadedChildren` (a message when there are none, the failure in their place). A subclass says
 * what it looks like, how to load and what to say when there is nothing.
 */
export abstract class LoadedGroupNode extends TreeNode {
  constructor(
    parent: TreeNode,
    /** The last part of the node's id, after its parent's. */
    segment: string,
    private readonly sourceId: string,
  ) {
    super(`${parent.id}/${segment}`, parent);
  }

  protected abstract look(): Omit<ItemSpec, 'state'>;
  protected abstract load(): Promise<TreeNode[]>;
  protected abstract emptyMessage(): string;

  treeItem(): vscode.TreeItem {
    return itemOf(this, { ...this.look(), state: 'collapsed' });
  }

  override children(): Promise<TreeNode[]> {
    return loadedChildren(this, this.sourceId, () => this.load(), this.emptyMessage());
  }
}

export class MessageNode extends TreeNode {
  constructor(
    id: string,
    parent: TreeNode | undefined,
    private readonly label: string,
    private readonly icon = 'info',
  ) {
    super(id, parent);
  }
  treeItem(): vscode.TreeItem {
    return itemOf(this, { label: this.label, icon: this.icon, contextValue: 'message' });
  }
}

/**
 * A failure shown where the data would be, with the action that fixes it, instead of an empty
 * tree: "Unauthorized — Set Credentials…".
 */
export class ErrorNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly error: unknown,
    private readonly sourceId: string,
  ) {
    super(`${parent.id}/error`, parent);
  }

  get action(): { title: string; command: string } {
    const e = this.error;
    if (e instanceof InsightError) {
      // A refused permission (403) is not fixed by another key of the same user: say where the permissions are documented.
      if (e.kind === 'auth' && e.status === 403)
        return { title: vscode.l10n.t('Permission Docs'), command: 'insightExplorer.openPermissionDocs' };
      if (e.kind === 'auth') return { title: vscode.l10n.t('Set Credentials…'), command: 'insightExplorer.setCredentials' };
      if (e.kind === 'notFound' || e.kind === 'usage')
        return { title: vscode.l10n.t('Edit Source…'), command: 'insightExplorer.editSource' };
    }
    return { title: vscode.l10n.t('Retry'), command: 'insightExplorer.refresh' };
  }

  get summary(): string {
    const e = this.error;
    if (e instanceof InsightError) {
      switch (e.kind) {
        case 'auth':
          return e.status === 403 ? vscode.l10n.t('Forbidden') : vscode.l10n.t('Unauthorized');
        case 'notFound':
          return vscode.l10n.t('Not found');
        case 'network':
          return vscode.l10n.t('Cannot connect');
        case 'throttled':
          return vscode.l10n.t('Rate-limited');
        case 'timeout':
          return vscode.l10n.t('Timed out');
        case 'data':
          return vscode.l10n.t('Unexpected reply');
        default:
          return vscode.l10n.t('Failed');
      }
    }
    return vscode.l10n.t('Failed');
  }

  treeItem(): vscode.TreeItem {
    const action = this.action;
    const item = new vscode.TreeItem(`${this.summary} — ${action.title}`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = oneLine(this.error);
    item.tooltip = new vscode.MarkdownString().appendText(oneLine(this.error));
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.contextValue = 'error';
    item.command = { title: action.title, command: action.command, arguments: [{ sourceId: this.sourceId }] };
    return item;
  }
}

/**
 * Relative time for descriptions: "3 min ago", "yesterday", "5 Jun 2024" (the words through
 * vscode.l10n; the date past a month keeps its one day-month-year form in every language).
 */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.round((now - t) / 1000);
  if (s < 60) return vscode.l10n.t('just now'); // a time slightly ahead of this clock too
  if (s < 3600) return vscode.l10n.t('{0} min ago', Math.floor(s / 60));
  if (s < 86400) return vscode.l10n.t('{0} h ago', Math.floor(s / 3600));
  if (s < 2 * 86400) return vscode.l10n.t('yesterday');
  if (s < 30 * 86400) return vscode.l10n.t('{0} days ago', Math.floor(s / 86400));
  return new Date(t).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}
