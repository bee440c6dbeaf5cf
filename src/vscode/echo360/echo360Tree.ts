import * as vscode from 'vscode';
import { counts } from '../counts';
import {
  ChunkStatus,
  Echo360Client,
  EchoReportDefinition,
  EchoReportQueue,
  EchoRequest,
  RunState,
  describeParameter,
  otherParameters,
  takesDateRange,
} from '../../core/sources/echo360';
import { SourceConfig } from '../sources/sourceStore';
import { ErrorNode, MessageNode, TreeNode, relativeTime } from '../tree/nodes';
import { MONTH_ABBR } from '../../core/dates';
import { echo360Platform } from '../../core/sources/echo360/platform';
import { ResultStore } from '../documents/resultStore';
import { Services } from '../services';
import { PlatformAdapter } from '../sources/platformAdapter';
import { Echo360Runs } from './echo360Runs';

/** The server's request listing is fetched at most this often; our own requests are always fresh. */
const LISTING_TTL_MS = 15_000;

const STATUS_ICONS: Record<ChunkStatus, [string, string?]> = {
  Queued: ['clock'],
  Submitting: ['loading~spin'],
  Pending: ['loading~spin'],
  Available: ['pass', 'testing.iconPassed'],
  Expired: ['history', 'disabledForeground'],
  Failed: ['error', 'errorForeground'],
  Missing: ['question', 'problemsWarningIcon.foreground'],
};

/** One row of the Requests folder: a server request, a chunk of one of our runs, or both. */
export interface Echo360RequestRow {
  requestId?: string;
  status: ChunkStatus;
  reportName: string;
  start?: string;
  end?: string;
  created?: string;
  expires?: string;
  /** Set when this extension submitted it. */
  runId?: string;
  chunk?: number;
  chunks?: number;
  runStatus?: RunState['status'];
  /** Our runs sort by the run's creation, so their chunks stay together. */
  sortKey?: string;
}

export function expiresIn(expires: string | undefined, now = Date.now()): string {
  if (!expires) return '';
  const ms = Date.parse(expires) - now;
  if (Number.isNaN(ms)) return '';
  if (ms <= 0) return vscode.l10n.t('expired');
  const days = Math.ceil(ms / 86_400_000);
  return vscode.l10n.t('expires in {0}', counts.days(days));
}

/** "Oct 28–Nov 4" (the year only when the range leaves the current one): short enough to leave the status visible. */
export function shortRange(start: string | undefined, end: string | undefined, now = new Date()): string {
  if (!start || !end) return '';
  const day = (iso: string) => `${MONTH_ABBR[Number(iso.slice(5, 7)) - 1] ?? iso.slice(5, 7)} ${Number(iso.slice(8, 10))}`;
  const year = String(now.getUTCFullYear());
  if (start.slice(0, 4) !== year || end.slice(0, 4) !== year) {
    if (start.slice(0, 4) !== end.slice(0, 4)) return `${day(start)}, ${start.slice(0, 4)}–${day(end)}, ${end.slice(0, 4)}`;
    return `${day(start)}–${day(end)}, ${start.slice(0, 4)}`;
  }
  return `${day(start)}–${day(end)}`;
}

export class Echo360FolderNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly folder: 'reports' | 'requests',
    private readonly model: Echo360TreeModel,
  ) {
    super(`${parent.id}/echo360/${folder}`, parent);
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.folder === 'reports' ? vscode.l10n.t('Reports') : vscode.l10n.t('Requests'), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.folder === 'reports' ? 'graph' : 'history');
    item.contextValue = `echo360:${this.folder}`;
    return item;
  }
  override async children(): Promise<TreeNode[]> {
    try {
      return this.folder === 'reports' ? await this.model.reportNodes(this) : await this.model.requestNodes(this);
    } catch (e) {
      return [new ErrorNode(this, e, this.source.id)];
    }
  }
}

export class Echo360ReportNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly report: EchoReportDefinition,
  ) {
    super(`${parent.id}/${encodeURIComponent(report.name)}`, parent);
  }
  get sourceId(): string {
    return this.source.id;
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.report.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const ranged = takesDateRange(this.report);
    const others = otherParameters(this.report);
    item.description = [this.report.description, ranged ? vscode.l10n.t('date range') : vscode.l10n.t('all time')].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString()
      .appendText(`${this.report.name}\n\n${this.report.description}\n\n`)
      .appendText(this.report.note ? `${this.report.note}\n\n` : '')
      .appendText(ranged ? vscode.l10n.t('Takes a date range (split into 7-day requests).') : vscode.l10n.t('No date range: all time, one request.'))
      .appendText(others.length ? `\n\n${vscode.l10n.t('Also lists: {0}.', others.map(describeParameter).join(', '))}` : '');
    item.iconPath = new vscode.ThemeIcon('table');
    item.contextValue = 'echo360:report';
    return item;
  }
}

export class Echo360RequestNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly row: Echo360RequestRow,
  ) {
    super(`${parent.id}/${row.requestId ? `request/${row.requestId}` : `run/${row.runId}/${row.chunk}`}`, parent);
  }
  get sourceId(): string {
    return this.source.id;
  }
  get requestId(): string | undefined {
    return this.row.requestId;
  }
  get runId(): string | undefined {
    return this.row.runId;
  }
  treeItem(): vscode.TreeItem {
    const r = this.row;
    const range = r.start && r.end ? ` ${r.start} → ${r.end}` : '';
    // The sidebar is narrow: the end's year (and month) only when they differ from the start's.
    const item = new vscode.TreeItem(`${r.reportName} ${shortRange(r.start, r.end)}`.trim(), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const [icon, color] = STATUS_ICONS[r.status];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const part = r.chunks && r.chunks > 1 ? `${(r.chunk ?? 0) + 1}/${r.chunks}` : '';
    const expiry = r.status === 'Available' ? expiresIn(r.expires) : '';
    // The sidebar cuts the end of the row: the short status comes first ("1/3 Pending"), the rest
    // is in the tooltip too.
    item.description = [[part, r.status].filter(Boolean).join(' '), r.created ? relativeTime(r.created) : '', expiry]
      .filter(Boolean)
      .join(' · ');
    item.tooltip = new vscode.MarkdownString()
      .appendText(`${vscode.l10n.t('{0}{1} (end exclusive)', r.reportName, range)}\n\n`)
      .appendText(
        `${vscode.l10n.t('Status: {0}', r.status)}${part ? vscode.l10n.t(' (part {0} of the run)', part) : ''}${expiry ? `, ${expiry}` : ''}\n\n`,
      )
      .appendText(r.requestId ? `${vscode.l10n.t('Request {0}', r.requestId)}\n\n` : `${vscode.l10n.t('Not sent yet (at most 3 requests in flight)')}\n\n`)
      .appendText(r.created ? `${vscode.l10n.t('Created {0}', new Date(r.created).toUTCString())}\n\n` : '')
      .appendText(r.runId ? vscode.l10n.t('Submitted from this window') : vscode.l10n.t('Submitted elsewhere'));
    const flags = [r.runId ? 'mine' : 'theirs', r.runStatus === 'completed' ? 'result' : '', r.requestId ? 'id' : ''].filter(Boolean);
    item.contextValue = `echo360:request:${r.status}:${flags.join(':')}`;
    if (r.runStatus === 'completed') {
      item.command = { title: vscode.l10n.t('Open Result'), command: 'insightExplorer.echo360.openResult', arguments: [this] };
    }
    return item;
  }
}

/** Reports (cached per source) and requests (server listing merged with our queue) of Echo360 sources. */
export class Echo360TreeModel {
  private readonly reports = new Map<string, EchoReportDefinition[]>();
  private readonly listings = new Map<string, { at: number; requests: EchoRequest[] }>();

  /**
   * `clientFor` is the source's client, `queueFor` the source's run queue (Echo360Runs): passed in,
   * so the tree depends on neither the adapter nor the run service.
   */
  constructor(
    private readonly clientFor: (source: SourceConfig) => Promise<Echo360Client>,
    private readonly queueFor: (source: SourceConfig) => Promise<EchoReportQueue>,
  ) {}

  children(sourceNode: TreeNode, source: SourceConfig): Promise<TreeNode[]> {
    return Promise.resolve([
      new Echo360FolderNode(sourceNode, source, 'reports', this),
      new Echo360FolderNode(sourceNode, source, 'requests', this),
    ]);
  }

  forget(sourceId: string): void {
    this.reports.delete(sourceId);
    this.listings.delete(sourceId);
  }

  async listReports(source: SourceConfig, signal?: AbortSignal): Promise<EchoReportDefinition[]> {
    let list = this.reports.get(source.id);
    if (!list) {
      list = await (await this.clientFor(source)).listReports(signal);
      this.reports.set(source.id, list);
    }
    return list;
  }

  async reportNodes(parent: Echo360FolderNode): Promise<TreeNode[]> {
    const list = await this.listReports(parent.source);
    if (list.length === 0) return [new MessageNode(`${parent.id}/empty`, parent, vscode.l10n.t('Echo360 lists no reports for this client.'))];
    return list.map((r) => new Echo360ReportNode(parent, parent.source, r));
  }

  async requestRows(source: SourceConfig): Promise<Echo360RequestRow[]> {
    const queue = await this.queueFor(source);
    let listing = this.listings.get(source.id);
    if (!listing || Date.now() - listing.at > LISTING_TTL_MS) {
      listing = { at: Date.now(), requests: await (await this.clientFor(source)).listRequests() };
      this.listings.set(source.id, listing);
    }
    const rows: Echo360RequestRow[] = [];
    const mine = new Set<string>();
    for (const run of queue.runs()) {
      for (const c of run.chunks) {
        if (c.requestId) mine.add(c.requestId);
        for (const old of c.previousRequestIds ?? []) mine.add(old);
        rows.push({
          requestId: c.requestId,
          status: c.status,
          reportName: run.reportName,
          start: c.start,
          end: c.end,
          created: c.created ?? c.submittedAt ?? run.createdAt,
          expires: c.expires,
          runId: run.id,
          chunk: c.index,
          chunks: run.chunks.length,
          runStatus: run.status,
          sortKey: run.createdAt,
        });
      }
    }
    for (const r of listing.requests) {
      if (mine.has(r.requestId)) continue;
      rows.push({
        requestId: r.requestId,
        status: r.status,
        reportName: r.reportName,
        start: r.parameters.start,
        end: r.parameters.end,
        created: r.created,
        expires: r.expires,
        sortKey: r.created,
      });
    }
    // Newest first; the chunks of one run together, in date order.
    return rows.sort(
      (a, b) =>
        (b.sortKey ?? '').localeCompare(a.sortKey ?? '') || (a.runId ?? '').localeCompare(b.runId ?? '') || (a.chunk ?? 0) - (b.chunk ?? 0),
    );
  }

  async requestNodes(parent: Echo360FolderNode): Promise<TreeNode[]> {
    const rows = await this.requestRows(parent.source);
    if (rows.length === 0) return [new MessageNode(`${parent.id}/empty`, parent, vscode.l10n.t('No report requests yet. Run a report to start one.'))];
    return rows.map((r) => new Echo360RequestNode(parent, parent.source, r));
  }

  /** The server listing is stale after we submitted or resubmitted something. */
  invalidateListing(sourceId: string): void {
    this.listings.delete(sourceId);
  }
}

/** Echo360 Reporting in VS Code: the platform, its reports/requests tree, and its report runs. */
export class Echo360Adapter extends PlatformAdapter<Echo360Client> {
  readonly model: Echo360TreeModel;
  /** The report runs of every Echo360 source (queues, downloads, status bar); started by the caller. */
  readonly runs: Echo360Runs;

  constructor(services: Services, results: ResultStore) {
    super(services, echo360Platform);
    const clientFor = (source: SourceConfig) => this.client(source);
    this.runs = new Echo360Runs(services, clientFor, results);
    this.tree = this.model = new Echo360TreeModel(clientFor, (source) => this.runs.queue(source));
  }

  override forget(sourceId: string): void {
    super.forget(sourceId);
    this.runs.restart(sourceId);
  }
}
