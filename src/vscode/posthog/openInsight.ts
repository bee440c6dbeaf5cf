import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { InsightError, isCancelled } from '../../core/errors';
import { chartNote, kindLabel, resultChart, resultTable } from '../../core/sources/posthog/tables';
import { PostHogInsight, REFRESH_MODES, RefreshMode, insightKind, insightName } from '../../core/sources/posthog/types';
import type { ResultOpener } from '../documents/resultOpener';
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
    private readonly resultOpener: ResultOpener,
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
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('PostHog: fetching insight {0}', insightId), cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => entry.cancel());
          return client.getInsight(insightId, {
            refresh,
            signal: controller.signal,
            clientQueryId,
            timeoutMs: cfg.get<number>('posthog.queryTimeoutSeconds', 300) * 1000,
            onProgress: (_st, polls) => progress.report({ message: vscode.l10n.t('calculating… (check {0})', polls) }),
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

  /** Through the one result pipeline: the insight's JSON, its result table as CSV, and the preview with its chart. */
  private async show(source: SourceConfig, insight: PostHogInsight, target: OpenTarget): Promise<OpenedInsight> {
    const name = insightName(insight) || `Insight ${insight.short_id ?? insight.id}`;
    const table = insight.result == null ? { columns: ['result'], rows: [] } : resultTable(insight);
    const refreshed = relativeTime(insight.last_refresh);
    const chart = resultChart(insight);
    const opened = await this.resultOpener.show(
      source,
      {
        key: `posthog-${insight.id}`,
        title: name,
        subtitle: refreshed
          ? vscode.l10n.t('PostHog · {0} · {1} · refreshed {2}', kindLabel(insightKind(insight)), source.label, refreshed)
          : `PostHog · ${kindLabel(insightKind(insight))} · ${source.label}`,
        raw: { ext: 'json', bytes: Buffer.from(JSON.stringify(insight, null, 2) + '\n') },
        tables: [{ columns: table.columns, rows: table.rows, charts: chart ? [chart] : undefined, chartNote: chartNote(insight) }],
        summary: `PostHog: insight ${insight.id} (${name}): ${table.rows.length} rows.`,
      },
      target === 'json' ? 'raw' : target,
    );
    return { insight, csvUri: opened.tables[0].csvUri, jsonUri: opened.uri, previewKey: opened.tables[0].previewKey };
  }
}

export function notAnInsight(): InsightError {
  return new InsightError('usage', vscode.l10n.t('Select a PostHog insight in the Insight Explorer view first.'));
}
