/**
 * The Studio part of the Sources tree:
 *
 *   Source ─ BIO 101 · Lecture recordings (a perspective) ─┬─ Overview   all roles
 *                                                          └─ Viewers    role: student
 *
 * Perspectives come from the source's options (Studio's public API cannot list them), so the tree
 * needs no request to expand; each insight fetches its CSV when opened. Ids carry the UUID.
 */
import * as vscode from 'vscode';
import { StudioClient, StudioInsight } from '../../core/sources/studio';
import { Services } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { TreeNode } from '../tree/nodes';
import { StudioPerspectiveRef, readPerspectives, roleLabel } from '../../core/sources/studio/options';
import { studioPlatform } from '../../core/sources/studio/platform';
import { PlatformAdapter } from '../sources/platformAdapter';

export const INSIGHT_LABEL: Record<StudioInsight, string> = { overview: 'Overview', users: 'Viewers' };
const INSIGHT_DETAIL: Record<StudioInsight, string> = {
  overview: 'Video views, time viewed and unique viewers over time',
  users: 'Each viewer: role, completion rate, time viewed',
};

export class StudioTreeModel {
  constructor(readonly services: Services) {}

  children(parent: TreeNode, source: SourceConfig): TreeNode[] {
    const list = readPerspectives(source);
    if (list.length === 0) return [new StudioAddPerspectiveNode(parent, source)];
    return list.map((p) => new StudioPerspectiveNode(parent, source, p));
  }
}

export class StudioAddPerspectiveNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly source: SourceConfig,
  ) {
    super(`${parent.id}/addPerspective`, parent);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Add Perspective…', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('add');
    item.description = 'by its UUID from the Studio Insights page';
    item.contextValue = 'studio:action';
    item.command = {
      title: 'Add Perspective',
      command: 'insightExplorer.studio.addPerspective',
      arguments: [{ sourceId: this.source.id }],
    };
    return item;
  }
}

export class StudioPerspectiveNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly perspective: StudioPerspectiveRef,
  ) {
    super(`${parent.id}/perspective/${perspective.uuid}`, parent);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.perspective.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('eye');
    item.description = this.perspective.uuid.slice(0, 8);
    item.tooltip = new vscode.MarkdownString().appendText(`Perspective ${this.perspective.uuid}`);
    item.contextValue = 'studio:perspective';
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    return (['overview', 'users'] as const).map((k) => new StudioInsightNode(this, k));
  }
}

export class StudioInsightNode extends TreeNode {
  constructor(
    readonly perspectiveNode: StudioPerspectiveNode,
    readonly insight: StudioInsight,
  ) {
    super(`${perspectiveNode.id}/insight/${insight}`, perspectiveNode);
  }

  get source(): SourceConfig {
    return this.perspectiveNode.source;
  }

  get role(): string | undefined {
    return this.perspectiveNode.perspective.roles?.[this.insight];
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(INSIGHT_LABEL[this.insight], vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.insight === 'overview' ? 'graph-line' : 'person');
    item.description = roleLabel(this.role);
    item.tooltip = new vscode.MarkdownString().appendText(
      `${INSIGHT_DETAIL[this.insight]}.\n\nRole filter: ${roleLabel(this.role)} (Set Role Filter… to change).`,
    );
    item.contextValue = `studio:insight:${this.insight}`;
    item.command = { title: 'Open', command: 'insightExplorer.studio.open', arguments: [this] };
    return item;
  }
}

/** Canvas Studio in VS Code: the platform and its perspectives tree. */
export class StudioAdapter extends PlatformAdapter<StudioClient> {
  readonly model: StudioTreeModel;

  constructor(services: Services) {
    super(services, studioPlatform);
    this.tree = this.model = new StudioTreeModel(services);
  }
}
