import * as vscode from 'vscode';
import type { PlatformItem, SourceConfig } from '../../core/platform';
import { TreeNode, itemOf } from './nodes';

/**
 * The one node for a platform's plain items (src/core/platform.ts `children`). Its contextValue
 * is `<kind>:<type>;<capability>;…;`, so the generic commands' menus key on a capability
 * (`viewItem =~ /;open;/`) and a platform's own menus on its type (`viewItem =~ /^studio:perspective;/`).
 */
export class ItemNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly item: PlatformItem,
    private readonly childrenOf: (node: ItemNode) => Promise<TreeNode[]>,
  ) {
    super(`${parent.id}/${item.key}`, parent);
  }

  /** Whether the item offers a generic command. */
  can(capability: NonNullable<PlatformItem['capabilities']>[number]): boolean {
    return this.item.capabilities?.includes(capability) ?? false;
  }

  treeItem(): vscode.TreeItem {
    const { item } = this;
    const command = item.command
      ? { ...item.command, arguments: [this] }
      : this.can('open')
        ? { title: vscode.l10n.t('Open'), command: 'insightExplorer.open', arguments: [this] }
        : undefined;
    return itemOf(this, {
      label: item.label,
      state: item.expandable === 'expanded' ? 'expanded' : item.expandable ? 'collapsed' : undefined,
      icon: item.icon,
      description: item.description,
      tooltip: item.tooltip === undefined ? undefined : new vscode.MarkdownString().appendText(item.tooltip),
      contextValue: contextValueOf(this.source.kind, item),
      command,
    });
  }

  override children(): Promise<TreeNode[]> {
    return this.childrenOf(this);
  }
}

export function contextValueOf(kind: string, item: PlatformItem): string {
  return `${kind}:${item.type};${(item.capabilities ?? []).map((c) => `${c};`).join('')}`;
}
