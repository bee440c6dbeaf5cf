import * as vscode from 'vscode';
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
    return node.treeItem();
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
