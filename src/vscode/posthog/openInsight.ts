import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { toCsv } from '../../core/csv';
import { InsightError, isCancelled } from '../../core/errors';
import { chartNote, kindLabel, resultChart, resultTable } from '../../core/sources/posthog/tables';
import { PostHogInsight, REFRESH_MODES, RefreshMode, insightKind, insightName } from '../../core/sources/posthog/types';
import { ResultStore } from '../documents/resultStore';
import { formulaGuardSetting } from '../formulaGuardSetting';
import { ResultPreviews } from '../preview/resultPreviews';
import { Services } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { relativeTime } from '../tree/nodes';
import { PostHogAdapter } from './posthogTree';
import { RunningFetch } from './runningFetches';

export interface OpenedInsight {
  insight: PostHogInsight;
  csvUri: vscode.Uri;
  jsonUri: vscode.Uri;
  previewKey: string;
}

export type OpenTarget = 'csv' | 'json' | 'preview' | 'default';

/**
 * Fetch → mark viewed → store → documents + preview. A second open of the same insight cancels
 * the first one's request (its result would be stale anyway). Every fetch is in the adapter's
 * RunningFetches while it runs, so it can be cancelled from the tree too.
 */
export class InsightOpener {
  private readonly inflight = new Map<string, AbortController>();

  constructor(
    private readonly services: Services,
    private readonly adapter: PostHogAdapter,
    private readonly results: ResultStore,
    private readonly previews: ResultPreviews,
  ) {}

  async open(source: SourceConfig, insightId: string | number, target: OpenTarget = 'default', refreshOverride?: RefreshMode): Promise<OpenedInsight | undefined> {
    const key = `${source.id}/${insightId}`;
    this.inflight.get(key)?.abort();
    const controller = new AbortController();
    this.inflight.set(key, controller);
    const cfg = vscode.workspace.getConfiguration('insightExplorer');
    const configured = cfg.get<string>('posthog.refreshMode', 'blocking');
    const refresh = refreshOverride ?? ((REFRESH_MODES as readonly string[]).includes(configured) ? (configured as RefreshMode) : 'blocking');
    const clientQueryId = randomUUID();
    let running: RunningFetch | undefined;
    try {
      const client = await this.adapter.client(source);
      running = {
        sourceId: source.id,
        requestedId: String(insightId),
        clientQueryId,
        startedAt: Date.now(),
        cancel: () => {
          if (controller.signal.aborted) return;
          controller.abort();
          // Ask PostHog to stop calculating too; our request is already aborted.
          client.cancelQuery(clientQueryId).catch((e: unknown) => this.services.log.warn(`Cancelling query of insight ${insightId}: ${e instanceof Error ? e.message : String(e)}`));
        },
      };
      this.adapter.running.start(running);
      const entry = running;
      const insight = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `PostHog: fetching insight ${insightId}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => entry.cancel());
          return client.getInsight(insightId, {
            refresh,
            signal: controller.signal,
            clientQueryId,
            timeoutMs: cfg.get<number>('posthog.queryTimeoutSeconds', 300) * 1000,
            onProgress: (_st, polls) => progress.report({ message: `calculating… (check ${polls})` }),
          });
        },
      );
      client.markViewed([insight.id]).then(
        () => this.adapter.model.refreshRecent(source.id),
        (e) => this.services.log.warn(`Marking insight ${insight.id} viewed: ${e instanceof Error ? e.message : String(e)}`),
      );
      return await this.show(source, insight, target);
    } catch (e) {
      if (isCancelled(e) || controller.signal.aborted) {
        this.services.log.info(`Fetching insight ${insightId} cancelled.`);
        return undefined;
      }
      throw e;
    } finally {
      if (this.inflight.get(key) === controller) this.inflight.delete(key);
      if (running) this.adapter.running.finish(running);
    }
  }

  private async show(source: SourceConfig, insight: PostHogInsight, target: OpenTarget): Promise<OpenedInsight> {
    const name = insightName(insight) || `Insight ${insight.short_id ?? insight.id}`;
    const key = `posthog-${insight.id}`;
    const table = insight.result == null ? { columns: ['result'], rows: [] } : resultTable(insight);
    await this.results.save(source.id, key, 'json', JSON.stringify(insight, null, 2) + '\n');
    await this.results.save(source.id, key, 'csv', toCsv(table.columns, table.rows, { formulaGuard: formulaGuardSetting() }));
    const jsonUri = this.results.uriFor(source.id, key, name, 'json');
    const csvUri = this.results.uriFor(source.id, key, name, 'csv');
    this.results.changed(jsonUri);
    this.results.changed(csvUri);

    const cfg = vscode.workspace.getConfiguration('insightExplorer');
    const docPref = cfg.get<string>('openDocument', 'csv');
    const openDoc = async (uri: vscode.Uri, column: vscode.ViewColumn) => {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false, viewColumn: column });
    };
    if (target === 'csv') await openDoc(csvUri, vscode.ViewColumn.Active);
    else if (target === 'json') await openDoc(jsonUri, vscode.ViewColumn.Active);
    else if (target === 'default' && docPref !== 'none') await openDoc(docPref === 'json' ? jsonUri : csvUri, vscode.ViewColumn.One);

    const ref = { sourceId: source.id, key };
    const previewKey = ResultPreviews.keyOf(ref);
    if (target === 'preview' || target === 'default') {
      const kind = insightKind(insight);
      const refreshed = relativeTime(insight.last_refresh);
      const chart = resultChart(insight);
      await this.previews.showTable(
        ref,
        table.columns,
        table.rows,
        {
          title: name,
          subtitle: `PostHog · ${kindLabel(kind)} · ${source.label}${refreshed ? ` · refreshed ${refreshed}` : ''}`,
          charts: chart ? [chart] : undefined,
          chartNote: chartNote(insight),
        },
        { viewColumn: target === 'preview' ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside, preserveFocus: target === 'default' },
      );
    }
    return { insight, csvUri, jsonUri, previewKey };
  }
}

export function notAnInsight(): InsightError {
  return new InsightError('usage', 'Select a PostHog insight in the Insight Explorer view first.');
}
