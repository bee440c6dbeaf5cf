import * as vscode from 'vscode';
import { PostHogClient } from '../../core/sources/posthog/client';
import { kindLabel } from '../../core/sources/posthog/tables';
import { InsightKind, PostHogInsight, insightKind, insightName } from '../../core/sources/posthog/types';
import { InsightError } from '../../core/errors';
import { SourceConfig } from '../sources/sourceStore';
import { Services } from '../services';
import { ErrorNode, MessageNode, TreeNode, relativeTime } from '../tree/nodes';
import { escapeMd } from '../tree/sourceNodes';

const KIND_ICON: Record<InsightKind, string> = {
  trends: 'graph-line',
  funnels: 'filter',
  retention: 'history',
  paths: 'type-hierarchy',
  stickiness: 'pinned',
  lifecycle: 'pulse',
  sql: 'database',
  other: 'graph',
};

/** Loaded pages of one source's insight list; loads are serialized so ids stay unique. */
class InsightListState {
  insights: PostHogInsight[] = [];
  next: string | null | undefined = undefined; // undefined: first page not loaded yet
  count: number | undefined;
  error: unknown;
  private chain: Promise<void> = Promise.resolve();

  reset(): void {
    this.insights = [];
    this.next = undefined;
    this.count = undefined;
    this.error = undefined;
  }

  load(fn: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(fn, fn);
    return this.chain;
  }
}

export class PostHogSourceState {
  readonly list = new InsightListState();
  filter = '';
  insightsGroup?: InsightsGroupNode;
  recentGroup?: RecentGroupNode;
}

export class PostHogTreeModel {
  private readonly states = new Map<string, PostHogSourceState>();

  constructor(
    private readonly services: Services,
    private readonly clientFor: (source: SourceConfig) => Promise<PostHogClient>,
  ) {}

  state(sourceId: string): PostHogSourceState {
    let s = this.states.get(sourceId);
    if (!s) this.states.set(sourceId, (s = new PostHogSourceState()));
    return s;
  }

  forget(sourceId: string): void {
    this.states.delete(sourceId);
  }

  children(parent: TreeNode, source: SourceConfig): TreeNode[] {
    const st = this.state(source.id);
    st.insightsGroup = new InsightsGroupNode(this, parent, source);
    st.recentGroup = new RecentGroupNode(this, parent, source);
    return [st.insightsGroup, st.recentGroup];
  }

  async loadNextPage(source: SourceConfig): Promise<void> {
    const st = this.state(source.id);
    await st.list.load(async () => {
      if (st.list.next === null) return;
      try {
        const client = await this.clientFor(source);
        const pageSize = vscode.workspace.getConfiguration('insightExplorer.posthog').get<number>('pageSize', 100);
        const page = await client.listPage({ next: st.list.next, search: st.filter || undefined, limit: pageSize });
        const seen = new Set(st.list.insights.map((i) => i.id));
        // A page boundary can shift while we page (an insight saved meanwhile): skip repeats.
        st.list.insights.push(...page.results.filter((i) => !seen.has(i.id)));
        st.list.next = page.next ?? null;
        st.list.count = page.count;
        st.list.error = undefined;
      } catch (e) {
        st.list.error = e;
        this.services.log.warn(`Listing insights of ${source.label}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  }

  async setFilter(source: SourceConfig, filter: string): Promise<void> {
    const st = this.state(source.id);
    st.filter = filter.trim();
    st.list.reset();
    this.services.refreshTree(st.insightsGroup);
  }

  refreshRecent(sourceId: string): void {
    const g = this.states.get(sourceId)?.recentGroup;
    if (g) this.services.refreshTree(g);
  }

  clientForSource(source: SourceConfig): Promise<PostHogClient> {
    return this.clientFor(source);
  }
}

export class InsightsGroupNode extends TreeNode {
  constructor(
    private readonly model: PostHogTreeModel,
    parent: TreeNode,
    readonly source: SourceConfig,
  ) {
    super(`${parent.id}/insights`, parent);
  }

  treeItem(): vscode.TreeItem {
    const st = this.model.state(this.source.id);
    const item = new vscode.TreeItem('Insights', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('graph');
    const count = st.list.count !== undefined ? `${st.list.count}` : '';
    item.description = st.filter ? `matching “${st.filter}”${count ? ` · ${count}` : ''}` : count;
    item.contextValue = st.filter ? 'group:posthog:insights:filtered' : 'group:posthog:insights';
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    const st = this.model.state(this.source.id);
    if (st.list.next === undefined) await this.model.loadNextPage(this.source);
    const nodes: TreeNode[] = st.list.insights.map((i) => new InsightNode(this, this.source, i));
    if (st.list.error) nodes.push(new ErrorNode(this, st.list.error, this.source.id));
    else if (st.list.next) nodes.push(new LoadMoreNode(this, this.source, st.list.insights.length, st.list.count));
    if (nodes.length === 0) nodes.push(new MessageNode(`${this.id}/empty`, this, st.filter ? `No insights match “${st.filter}”` : 'No saved insights in this project'));
    return nodes;
  }
}

export class RecentGroupNode extends TreeNode {
  constructor(
    private readonly model: PostHogTreeModel,
    parent: TreeNode,
    readonly source: SourceConfig,
  ) {
    super(`${parent.id}/recent`, parent);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Recently viewed', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('history');
    item.contextValue = 'group:posthog:recent';
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    try {
      const client = await this.model.clientForSource(this.source);
      const recent = await client.recentlyViewed();
      if (recent.length === 0) return [new MessageNode(`${this.id}/empty`, this, 'Nothing viewed recently')];
      return recent.map((i) => new InsightNode(this, this.source, i));
    } catch (e) {
      return [new ErrorNode(this, e, this.source.id)];
    }
  }
}

export class InsightNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly insight: PostHogInsight,
  ) {
    super(`${parent.id}/insight/${insight.id}`, parent);
  }

  get kind(): InsightKind {
    return insightKind(this.insight);
  }

  treeItem(): vscode.TreeItem {
    const i = this.insight;
    const name = insightName(i) || `Untitled insight ${i.short_id ?? i.id}`;
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(KIND_ICON[this.kind]);
    const refreshed = relativeTime(i.last_refresh);
    item.description = refreshed ? `${kindLabel(this.kind)} · ${refreshed}` : kindLabel(this.kind);
    const md = new vscode.MarkdownString(undefined, false);
    md.appendMarkdown(`**${escapeMd(name)}**  \n`);
    md.appendText(`${kindLabel(this.kind)} · id ${i.id} · ${i.short_id ?? ''}\n`);
    if (i.description) md.appendMarkdown('\n').appendText(i.description + '\n');
    if (i.tags?.length) md.appendMarkdown('\n').appendText(`Tags: ${i.tags.join(', ')}\n`);
    if (i.last_refresh) md.appendMarkdown('\n').appendText(`Last refreshed ${relativeTime(i.last_refresh)} (${i.last_refresh})`);
    item.tooltip = md;
    item.contextValue = `insight:posthog:${this.kind}`;
    item.command = { title: 'Open Insight', command: 'insightExplorer.posthog.openInsight', arguments: [this] };
    return item;
  }
}

export class LoadMoreNode extends TreeNode {
  constructor(
    readonly group: InsightsGroupNode,
    readonly source: SourceConfig,
    private readonly loaded: number,
    private readonly total: number | undefined,
  ) {
    super(`${group.id}/more`, group);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.description = this.total !== undefined ? `${this.loaded} of ${this.total}` : `${this.loaded} loaded`;
    item.contextValue = 'loadMore';
    item.command = { title: 'Load more', command: 'insightExplorer.posthog.loadMore', arguments: [this] };
    return item;
  }
}

export function requireInsightNode(arg: unknown): InsightNode {
  if (arg instanceof InsightNode) return arg;
  throw new InsightError('usage', 'Select an insight in the Insight Explorer view first.');
}
