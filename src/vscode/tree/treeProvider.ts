import * as vscode from 'vscode';
import { safeText } from '../../core/text';
import { Services } from '../services';
import { TreeNode } from './nodes';
import { SourceNode } from './sourceNodes';

/**
 * The Sources view. Children come from the nodes themselves; the provider only tracks what to
 * re-render. An empty list shows the welcome view (package.json `viewsWelcome`).
 */
export class InsightTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private services!: Services;

  bind(services: Services): void {
    this.services = services;
  }

  refresh(node?: TreeNode): void {
    this.emitter.fire(node);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem | Thenable<vscode.TreeItem> {
    const item = node.treeItem();
    return 'then' in item && typeof item.then === 'function' ? item.then(safeTreeItem) : safeTreeItem(item as vscode.TreeItem);
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node) return node.children();
    return this.services.store.list().map((s) => new SourceNode(this.services, s));
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/**
 * Labels, descriptions and tooltips are built from server strings (insight names, report names,
 * error details): every one passes here, so a control character or a bidi override is shown
 * escaped instead of reordering or hiding what the tree says.
 */
export function safeTreeItem(item: vscode.TreeItem): vscode.TreeItem {
  if (typeof item.label === 'string') item.label = safeText(item.label);
  else if (item.label) {
    const text = safeText(item.label.label);
    // Highlight ranges point into the original text; they are dropped when escaping moved it.
    if (text !== item.label.label) item.label = { label: text };
  }
  if (typeof item.description === 'string') item.description = safeText(item.description);
  if (typeof item.tooltip === 'string') item.tooltip = safeText(item.tooltip, { keepNewline: true, keepTab: true });
  else if (item.tooltip instanceof vscode.MarkdownString) {
    const value = safeText(item.tooltip.value, { keepNewline: true, keepTab: true });
    if (value !== item.tooltip.value) {
      const md = new vscode.MarkdownString(value, item.tooltip.supportThemeIcons);
      md.isTrusted = item.tooltip.isTrusted;
      md.supportHtml = item.tooltip.supportHtml;
      item.tooltip = md;
    }
  }
  return item;
}
