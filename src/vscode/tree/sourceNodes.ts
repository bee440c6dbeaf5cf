import * as vscode from 'vscode';
import { SourceConfig } from '../sources/sourceStore';
import { Services } from '../services';
import { ErrorNode, MessageNode, TreeNode } from './nodes';

export class SourceNode extends TreeNode {
  constructor(
    private readonly services: Services,
    readonly source: SourceConfig,
  ) {
    super(`/source/${source.id}`);
  }

  async treeItem(): Promise<vscode.TreeItem> {
    const adapter = this.services.kinds.get(this.source.kind);
    const item = new vscode.TreeItem(this.source.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = adapter?.describe(this.source) ?? this.source.kind;
    item.iconPath = new vscode.ThemeIcon(adapter?.icon ?? 'plug');
    const hasSecret = !!(await this.services.store.getSecret(this.source.id));
    item.contextValue = `source:${this.source.kind}${hasSecret ? '' : ':nokey'}`;
    item.tooltip = new vscode.MarkdownString()
      .appendMarkdown(`**${escapeMd(this.source.label)}**\n\n`)
      .appendText(`${adapter?.label ?? this.source.kind} · ${this.source.baseUrl}\n`)
      .appendText(
        hasSecret ? vscode.l10n.t('Credentials stored in SecretStorage.') : vscode.l10n.t('No credentials stored — use Set Credentials.'),
      );
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    const adapter = this.services.kinds.get(this.source.kind);
    if (!adapter)
      return [
        new MessageNode(
          `${this.id}/unsupported`,
          this,
          vscode.l10n.t('{0} sources need a newer Insight Explorer.', this.source.kind),
          'warning',
        ),
      ];
    try {
      return await adapter.children(this, this.source);
    } catch (e) {
      this.services.log.error(`Loading ${this.source.label}: ${e instanceof Error ? e.message : String(e)}`);
      return [new ErrorNode(this, e, this.source.id)];
    }
  }
}

export function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** Finds the source id in a command argument: a node, `{sourceId}`, or a plain id. */
export function sourceIdOf(arg: unknown): string | undefined {
  if (!arg) return undefined;
  if (typeof arg === 'string') return arg;
  if (arg instanceof SourceNode) return arg.source.id;
  const a = arg as { sourceId?: string; source?: { id?: string } };
  return a.sourceId ?? a.source?.id;
}
