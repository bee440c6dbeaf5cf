import * as vscode from 'vscode';
import { counts } from '../counts';
import { PostHogClient } from '../../core/sources/posthog/client';
import { HogQLClient, type HogQLSchemaTable } from '../../core/sources/posthog/hogql';
import { type HogQLHistoryEntry, readHistory } from './hogqlHistory';
import { kindLabel } from '../../core/sources/posthog/tables';
import {
  InsightFilterKind,
  InsightKind,
  PostHogInsight,
  PostHogMe,
  TrendingInsight,
  insightKind,
  insightName,
  trendingViewers,
  userLabel,
  viewersLabel,
} from '../../core/sources/posthog/types';
import { InsightError } from '../../core/errors';
import { SourceConfig } from '../sources/sourceStore';
import { Services } from '../services';
import { ErrorNode, ItemSpec, LoadedGroupNode, MessageNode, TreeNode, itemOf, relativeTime } from '../tree/nodes';
import { escapeMd } from '../tree/sourceNodes';
import { RunningFetch, RunningFetches } from './runningFetches';
import { ThresholdsNode } from './thresholdNodes';
import { posthogPlatform } from '../../core/sources/posthog/platform';
import { PlatformAdapter } from '../sources/platformAdapter';

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

/** Server-side filters of the Insights group (PostHog's list parameters). */
export interface InsightFilters {
  tags: string[];
  favorited: boolean;
  kind?: InsightFilterKind;
  /** Created by the owner of the API key. */
  mine: boolean;
}

export class PostHogSourceState {
  readonly list = new InsightListState();
  /** Name search (`search`). */
  filter = '';
  filters: InsightFilters = { tags: [], favorited: false, mine: false };
  me?: PostHogMe;
  /** PostHog refused `/api/users/@me/` (the key lacks user:read): “Created by me” is not offered. */
  meRefused = false;
  insightsGroup?: InsightsGroupNode;
  /** The description the Insights group was last drawn with (to redraw it once the count is known). */
  shownDescription?: string;
  recentGroup?: RecentGroupNode;
  trendingGroup?: TrendingGroupNode;
  schemaGroup?: SchemaGroupNode;
  historyGroup?: HistoryGroupNode;

  get filtered(): boolean {
    return !!this.filter || this.filters.tags.length > 0 || this.filters.favorited || !!this.filters.kind || this.filters.mine;
  }

  /** "matching “x” · #kpi · ★ · Trends · mine". */
  describeFilters(): string {
    const parts: string[] = [];
    if (this.filter) parts.push(vscode.l10n.t('matching “{0}”', this.filter));
    for (const t of this.filters.tags) parts.push(`#${t}`);
    if (this.filters.favorited) parts.push(vscode.l10n.t('★ favourites'));
    if (this.filters.kind) parts.push(this.filters.kind.charAt(0) + this.filters.kind.slice(1).toLowerCase());
    if (this.filters.mine) parts.push(vscode.l10n.t('created by me'));
    return parts.join(' · ');
  }
}

export class PostHogTreeModel {
  private readonly states = new Map<string, PostHogSourceState>();
  /** The latest node for each tree id, so a change to one insight re-renders every place it shows. */
  private readonly rendered = new Map<string, InsightNode>();

  constructor(
    private readonly services: Services,
    private readonly clientFor: (source: SourceConfig) => Promise<PostHogClient>,
    readonly running: RunningFetches,
  ) {}

  /** A fetch started or ended: the insight's nodes show (or stop showing) "calculating…". */
  runningChanged(f: RunningFetch): void {
    this.refreshWhere(f.sourceId, (i) => String(i.id) === f.requestedId || i.short_id === f.requestedId);
  }

  state(sourceId: string): PostHogSourceState {
    let s = this.states.get(sourceId);
    if (!s) this.states.set(sourceId, (s = new PostHogSourceState()));
    return s;
  }

  forget(sourceId: string): void {
    this.states.delete(sourceId);
    for (const [id, node] of this.rendered) if (node.source.id === sourceId) this.rendered.delete(id);
  }

  /**
   * The groups of a source. The same node objects are handed out again while the source's state
   * lives: the tree view refreshes elements it knows by identity, so a refresh aimed at a newer
   * copy of a node would be ignored.
   */
  children(parent: TreeNode, source: SourceConfig): TreeNode[] {
    const st = this.state(source.id);
    if (st.insightsGroup?.parent?.id !== parent.id) {
      st.insightsGroup = new InsightsGroupNode(this, parent, source);
      st.recentGroup = new RecentGroupNode(this, parent, source);
      st.trendingGroup = new TrendingGroupNode(this, parent, source);
      st.schemaGroup = new SchemaGroupNode(this, parent, source);
      st.historyGroup = new HistoryGroupNode(this, parent, source);
    }
    return [st.insightsGroup, st.trendingGroup!, st.recentGroup!, st.schemaGroup!, st.historyGroup!];
  }

  /** The node for an insight under `parent`: the known one while it shows the same data. */
  insightNode(parent: TreeNode, source: SourceConfig, insight: PostHogInsight, trending?: TrendingInsight): InsightNode {
    const known = this.rendered.get(`${parent.id}/insight/${insight.id}`);
    if (known && known.insight === insight && known.parent === parent) return known;
    const node = new InsightNode(this, parent, source, insight, trending);
    this.rendered.set(node.id, node);
    return node;
  }

  /**
   * Loads the next page (Load more), or with `firstOnly` the first page unless one was loaded
   * meanwhile: two tree requests at once (a refresh and a reveal) then load page 1 once, not
   * pages 1 and 2.
   */
  async loadNextPage(source: SourceConfig, firstOnly = false): Promise<void> {
    const st = this.state(source.id);
    await st.list.load(async () => {
      if (st.list.next === null || (firstOnly && st.list.next !== undefined)) return;
      try {
        const client = await this.clientFor(source);
        const pageSize = vscode.workspace.getConfiguration('insightExplorer.posthog').get<number>('pageSize', 100);
        const f = st.filters;
        const createdBy = f.mine ? ((await this.me(source)).id ?? 'me') : undefined;
        const page = await client.listPage({
          next: st.list.next,
          search: st.filter || undefined,
          limit: pageSize,
          tags: f.tags,
          favorited: f.favorited,
          kind: f.kind,
          createdBy,
        });
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

  /** The key's owner, asked once per source (for "created by me"). */
  async me(source: SourceConfig): Promise<PostHogMe> {
    const st = this.state(source.id);
    st.me ??= await (await this.clientFor(source)).currentUser();
    return st.me;
  }

  async setFilter(source: SourceConfig, filter: string): Promise<void> {
    const st = this.state(source.id);
    st.filter = filter.trim();
    this.reload(st);
  }

  setFilters(source: SourceConfig, patch: Partial<InsightFilters>): void {
    const st = this.state(source.id);
    st.filters = { ...st.filters, ...patch };
    this.reload(st);
  }

  clearFilters(source: SourceConfig): void {
    const st = this.state(source.id);
    st.filter = '';
    st.filters = { tags: [], favorited: false, mine: false };
    this.reload(st);
  }

  private reload(st: PostHogSourceState): void {
    st.list.reset();
    this.services.refreshTree(st.insightsGroup);
  }

  /** Redraws one node (its label and description). */
  redraw(node: TreeNode): void {
    this.services.refreshTree(node);
  }

  refreshRecent(sourceId: string): void {
    const g = this.states.get(sourceId)?.recentGroup;
    if (g) this.services.refreshTree(g);
  }

  /** Re-renders the Insights, Trending and Recently viewed groups of a source. */
  refreshGroups(sourceId: string): void {
    const st = this.states.get(sourceId);
    for (const g of [st?.insightsGroup, st?.trendingGroup, st?.recentGroup]) if (g) this.services.refreshTree(g);
  }

  private refreshWhere(sourceId: string, match: (i: PostHogInsight) => boolean): void {
    for (const node of this.rendered.values()) if (node.source.id === sourceId && match(node.insight)) this.services.refreshTree(node);
  }

  /**
   * An insight changed on the server: every node showing it takes the new fields. A filtered
   * list is fetched again instead, because the change may move the insight in or out of it.
   */
  applyUpdate(source: SourceConfig, updated: PostHogInsight): void {
    const st = this.state(source.id);
    const fields = { ...updated };
    delete (fields as Partial<PostHogInsight>).result; // a PATCH answer may carry no (or a stale) result
    for (const i of st.list.insights) if (i.id === updated.id) Object.assign(i, fields);
    for (const node of this.rendered.values())
      if (node.source.id === source.id && node.insight.id === updated.id) Object.assign(node.insight, fields);
    if (st.filtered) this.reload(st);
    else this.refreshWhere(source.id, (i) => i.id === updated.id);
  }

  /** After a move to the trash: gone from the list; returns where it was, for Undo. */
  removeInsight(source: SourceConfig, id: number): number {
    const st = this.state(source.id);
    const index = st.list.insights.findIndex((i) => i.id === id);
    if (index >= 0) {
      st.list.insights.splice(index, 1);
      if (st.list.count !== undefined) st.list.count--;
    }
    this.refreshGroups(source.id);
    return index;
  }

  /** After a restore or a creation: back in the list at `index` (0 = top), unless filters apply. */
  insertInsight(source: SourceConfig, insight: PostHogInsight, index: number): void {
    const st = this.state(source.id);
    if (st.filtered || st.list.next === undefined) st.list.reset();
    else if (!st.list.insights.some((i) => i.id === insight.id)) {
      st.list.insights.splice(Math.max(0, Math.min(index, st.list.insights.length)), 0, insight);
      if (st.list.count !== undefined) st.list.count++;
    }
    this.refreshGroups(source.id);
  }

  /** Redraws a source's Query History (after a run). */
  refreshHistory(sourceId: string): void {
    const g = this.states.get(sourceId)?.historyGroup;
    if (g) this.services.refreshTree(g);
  }

  /** The runs of a source's HogQL queries, newest first. */
  history(sourceId: string): HogQLHistoryEntry[] {
    return readHistory(this.services.context.globalState, sourceId);
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
    const item = new vscode.TreeItem(vscode.l10n.t('Insights'), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('graph');
    const count = st.list.count !== undefined ? `${st.list.count}` : '';
    const filters = st.describeFilters();
    item.description = filters ? `${filters}${count ? ` · ${count}` : ''}` : count;
    st.shownDescription = item.description;
    item.contextValue = st.filtered ? 'group:posthog:insights:filtered' : 'group:posthog:insights';
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    const st = this.model.state(this.source.id);
    if (st.list.next === undefined) await this.model.loadNextPage(this.source, true);
    // The group was drawn before its first page arrived: redraw it with PostHog's count now, once
    // (its children are loaded, so the redraw asks for nothing).
    const drawn = st.shownDescription;
    if (st.list.count !== undefined && this.treeItem().description !== drawn) {
      setTimeout(() => this.model.redraw(this), 0);
    }
    const nodes: TreeNode[] = st.list.insights.map((i) => this.model.insightNode(this, this.source, i));
    if (st.list.error) nodes.push(new ErrorNode(this, st.list.error, this.source.id));
    else if (st.list.next) nodes.push(new LoadMoreNode(this, this.source, st.list.insights.length, st.list.count));
    if (nodes.length === 0)
      nodes.push(
        new MessageNode(
          `${this.id}/empty`,
          this,
          st.filtered ? vscode.l10n.t('No insights match: {0}', st.describeFilters()) : vscode.l10n.t('No saved insights in this project'),
        ),
      );
    return nodes;
  }
}

/**
 * The project's database as HogQL sees it (DatabaseSchemaQuery): tables (events, persons,
 * sessions, groups, data-warehouse tables), each with its fields and their types. **Query This
 * Table** opens a starter `.hogql` query.
 */
export class SchemaGroupNode extends LoadedGroupNode {
  constructor(
    private readonly model: PostHogTreeModel,
    parent: TreeNode,
    readonly source: SourceConfig,
  ) {
    super(parent, 'schema', source.id);
  }

  protected look(): Omit<ItemSpec, 'state'> {
    return {
      label: vscode.l10n.t('Schema'),
      icon: 'database',
      description: vscode.l10n.t('HogQL tables'),
      tooltip: vscode.l10n.t("The tables and fields HogQL queries of this project can use (PostHog's DatabaseSchemaQuery)"),
      contextValue: 'group:posthog:schema',
    };
  }

  protected async load(): Promise<TreeNode[]> {
    const tables = await new HogQLClient(await this.model.clientForSource(this.source)).schema();
    return tables.sort((a, b) => a.name.localeCompare(b.name)).map((t) => new SchemaTableNode(this, this.source, t));
  }

  protected emptyMessage(): string {
    return vscode.l10n.t('PostHog listed no tables');
  }
}

export class SchemaTableNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly table: HogQLSchemaTable,
  ) {
    super(`${parent.id}/table/${encodeURIComponent(table.name)}`, parent);
  }

  treeItem(): vscode.TreeItem {
    return itemOf(this, {
      label: this.table.name,
      state: 'collapsed',
      icon: 'table',
      description: vscode.l10n.t('{0} · {1} fields', this.table.type, this.table.fields.length),
      contextValue: 'posthog:schemaTable',
    });
  }

  override async children(): Promise<TreeNode[]> {
    return this.table.fields.map(
      (f) => new MessageNode(`${this.id}/field/${encodeURIComponent(f.name)}`, this, `${f.name}: ${f.type}`, 'symbol-field'),
    );
  }
}

/** The HogQL queries run on this source, newest first: a click opens the text again. */
export class HistoryGroupNode extends TreeNode {
  constructor(
    private readonly model: PostHogTreeModel,
    parent: TreeNode,
    readonly source: SourceConfig,
  ) {
    super(`${parent.id}/history`, parent);
  }

  treeItem(): vscode.TreeItem {
    const n = this.model.history(this.source.id).length;
    return itemOf(this, {
      label: vscode.l10n.t('Query History'),
      state: 'collapsed',
      icon: 'history',
      description: n ? String(n) : vscode.l10n.t('none yet'),
      contextValue: 'group:posthog:history',
    });
  }

  override async children(): Promise<TreeNode[]> {
    const list = this.model.history(this.source.id);
    if (list.length === 0)
      return [new MessageNode(`${this.id}/empty`, this, vscode.l10n.t('No HogQL query run yet (New HogQL Query on this source)'))];
    return list.map((e) => new HistoryEntryNode(this, this.source, e));
  }
}

export class HistoryEntryNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly entry: HogQLHistoryEntry,
  ) {
    super(`${parent.id}/run/${entry.id}`, parent);
  }

  treeItem(): vscode.TreeItem {
    const e = this.entry;
    const oneLineSql = e.sql.replace(/\s+/g, ' ').trim();
    const rows = counts.rows(e.rows ?? 0);
    const seconds = (e.durationMs / 1000).toFixed(1);
    const what =
      e.status === 'ok'
        ? e.capped
          ? vscode.l10n.t('{0} (cut) · {1} s', rows, seconds)
          : vscode.l10n.t('{0} · {1} s', rows, seconds)
        : e.status === 'cancelled'
          ? vscode.l10n.t('cancelled')
          : vscode.l10n.t('failed');
    return itemOf(this, {
      label: oneLineSql.length > 80 ? `${oneLineSql.slice(0, 79)}…` : oneLineSql,
      icon: e.status === 'ok' ? 'pass' : e.status === 'cancelled' ? 'circle-slash' : 'error',
      description: `${what} · ${relativeTime(e.at)}`,
      tooltip: new vscode.MarkdownString().appendCodeblock(e.sql, 'sql').appendText(e.message ? `\n${e.message}` : ''),
      contextValue: e.resultKey ? 'posthog:historyEntry:result' : 'posthog:historyEntry',
      command: { title: vscode.l10n.t('Open Query'), command: 'insightExplorer.posthog.reopenHogQL', arguments: [this] },
    });
  }
}

export class RecentGroupNode extends LoadedGroupNode {
  constructor(
    private readonly model: PostHogTreeModel,
    parent: TreeNode,
    readonly source: SourceConfig,
  ) {
    super(parent, 'recent', source.id);
  }

  protected look(): Omit<ItemSpec, 'state'> {
    return { label: vscode.l10n.t('Recently viewed'), icon: 'history', contextValue: 'group:posthog:recent' };
  }

  protected async load(): Promise<TreeNode[]> {
    return (await (await this.model.clientForSource(this.source)).recentlyViewed()).map((i) =>
      this.model.insightNode(this, this.source, i),
    );
  }

  protected emptyMessage(): string {
    return vscode.l10n.t('Nothing viewed recently');
  }
}

/** The project's most viewed insights over `insightExplorer.posthog.trendingDays`. */
export class TrendingGroupNode extends LoadedGroupNode {
  constructor(
    private readonly model: PostHogTreeModel,
    parent: TreeNode,
    readonly source: SourceConfig,
  ) {
    super(parent, 'trending', source.id);
  }

  static days(): number {
    const d = vscode.workspace.getConfiguration('insightExplorer.posthog').get<number>('trendingDays', 7);
    return Number.isFinite(d) && d >= 1 ? Math.floor(d) : 7;
  }

  protected look(): Omit<ItemSpec, 'state'> {
    const days = TrendingGroupNode.days();
    return {
      label: vscode.l10n.t('Trending'),
      icon: 'flame',
      description: vscode.l10n.t('last {0}', counts.days(days)),
      tooltip: vscode.l10n.t('Most viewed insights of the last {0} (setting insightExplorer.posthog.trendingDays)', counts.days(days)),
      contextValue: 'group:posthog:trending',
    };
  }

  protected async load(): Promise<TreeNode[]> {
    const days = TrendingGroupNode.days();
    return (await (await this.model.clientForSource(this.source)).trending({ days, limit: 10 })).map((i) =>
      this.model.insightNode(this, this.source, i, i),
    );
  }

  protected emptyMessage(): string {
    return vscode.l10n.t('No insight viewed in the last {0}', counts.days(TrendingGroupNode.days()));
  }
}

export class InsightNode extends TreeNode {
  constructor(
    private readonly model: PostHogTreeModel,
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly insight: PostHogInsight,
    /** Set under Trending: views and viewers. */
    private readonly trending?: TrendingInsight,
  ) {
    super(`${parent.id}/insight/${insight.id}`, parent);
  }

  get kind(): InsightKind {
    return insightKind(this.insight);
  }

  get running(): boolean {
    return this.model.running.find(this.source.id, this.insight) !== undefined;
  }

  treeItem(): vscode.TreeItem {
    const i = this.insight;
    const name = insightName(i) || vscode.l10n.t('Untitled insight {0}', i.short_id ?? i.id);
    // Collapsible for its Thresholds; a click still opens it (the command), the twistie expands.
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const running = this.running;
    item.iconPath = new vscode.ThemeIcon(running ? 'sync~spin' : KIND_ICON[this.kind]);
    const parts: string[] = [];
    if (running) parts.push(vscode.l10n.t('calculating…'));
    if (i.favorited) parts.push('★');
    if (this.trending) {
      // view_count counts distinct viewers (one InsightViewed row per person), not views.
      const viewers = trendingViewers(this.trending).map((u) => u.first_name || userLabel(u));
      parts.push(`${viewersLabel(this.trending.view_count)}${viewers.length ? ` · ${viewers.join(', ')}` : ''}`);
    } else {
      const refreshed = relativeTime(i.last_refresh);
      parts.push(refreshed ? `${kindLabel(this.kind)} · ${refreshed}` : kindLabel(this.kind));
    }
    item.description = parts.join(' ');
    const md = new vscode.MarkdownString(undefined, false);
    md.appendMarkdown(`**${escapeMd(name)}**${i.favorited ? ' ★' : ''}  \n`);
    md.appendText(`${vscode.l10n.t('{0} · id {1} · {2}', kindLabel(this.kind), i.id, i.short_id ?? '')}\n`);
    if (i.description) md.appendMarkdown('\n').appendText(i.description + '\n');
    if (i.tags?.length) md.appendMarkdown('\n').appendText(`${vscode.l10n.t('Tags: {0}', i.tags.join(', '))}\n`);
    if (this.trending) {
      const viewers = trendingViewers(this.trending).map(userLabel);
      const views = viewersLabel(this.trending.view_count);
      const days = counts.days(TrendingGroupNode.days());
      md.appendMarkdown('\n').appendText(
        `${viewers.length ? vscode.l10n.t('{0} in the last {1}, latest {2}', views, days, viewers.join(', ')) : vscode.l10n.t('{0} in the last {1}', views, days)}\n`,
      );
    }
    if (i.last_refresh)
      md.appendMarkdown('\n').appendText(vscode.l10n.t('Last refreshed {0} ({1})', relativeTime(i.last_refresh), i.last_refresh));
    if (running) md.appendMarkdown('\n\n').appendText(vscode.l10n.t('PostHog is calculating it: Cancel Query stops it.'));
    item.tooltip = md;
    item.contextValue = `insight:posthog:${this.kind}${i.favorited ? ':favorited' : ''}${running ? ':running' : ''}`;
    item.command = { title: vscode.l10n.t('Open Insight'), command: 'insightExplorer.posthog.openInsight', arguments: [this] };
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    return [
      new ThresholdsNode(this, this.source.id, async () => (await this.model.clientForSource(this.source)).thresholds(this.insight.id)),
    ];
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
    const item = new vscode.TreeItem(vscode.l10n.t('Load more…'), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.description =
      this.total !== undefined ? vscode.l10n.t('{0} of {1}', this.loaded, this.total) : vscode.l10n.t('{0} loaded', this.loaded);
    item.contextValue = 'loadMore';
    item.command = { title: vscode.l10n.t('Load more'), command: 'insightExplorer.posthog.loadMore', arguments: [this] };
    return item;
  }
}

export function requireInsightNode(arg: unknown): InsightNode {
  if (arg instanceof InsightNode) return arg;
  throw new InsightError('usage', vscode.l10n.t('Select an insight in the Insight Explorer view first.'));
}

/** PostHog in VS Code: the platform, its tree, and the fetches in flight. */
export class PostHogAdapter extends PlatformAdapter<PostHogClient> {
  readonly model: PostHogTreeModel;
  /** Fetches in flight (disposed with the PostHog commands). */
  readonly running = new RunningFetches();

  constructor(services: Services) {
    super(services, posthogPlatform);
    this.tree = this.model = new PostHogTreeModel(services, (s) => this.client(s), this.running);
  }
}
