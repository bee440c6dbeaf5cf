import * as vscode from 'vscode';
import { InsightError } from '../../core/errors';
import { insightName } from '../../core/sources/posthog/types';
import { pickSource } from '../commands/sourceCommands';
import { registerCommand } from '../commands/register';
import { ResultStore } from '../documents/resultStore';
import { PreviewPanelManager } from '../preview';
import { inputText } from '../prompts';
import { Services } from '../services';
import { InsightOpener, OpenTarget } from './openInsight';
import { PostHogAdapter } from './posthogAdapter';
import { InsightNode, InsightsGroupNode, LoadMoreNode } from './posthogTree';

export function registerPostHogCommands(services: Services, adapter: PostHogAdapter, results: ResultStore, previews: PreviewPanelManager): InsightOpener {
  const opener = new InsightOpener(services, adapter, results, previews);

  const open = (target: OpenTarget) => async (arg?: unknown) => {
    if (arg instanceof InsightNode) return opener.open(arg.source, arg.insight.id, target);
    const a = (arg ?? {}) as { sourceId?: string; insightId?: string | number };
    const source = await pickSource(services, a.sourceId ? { sourceId: a.sourceId } : undefined, 'Open PostHog Insight', 'posthog');
    if (!source) return undefined;
    let id = a.insightId !== undefined ? String(a.insightId) : undefined;
    if (id === undefined) {
      id = await inputText({ title: 'Open PostHog Insight' }, { prompt: 'Insight id or short id', placeholder: '123 or aBcD1234', validate: (v) => (/^[A-Za-z0-9]+$/.test(v.trim()) ? undefined : 'Use the numeric id or the 8-character short id from the insight URL.') });
      if (!id) return undefined;
    }
    return opener.open(source, id.trim(), target);
  };

  registerCommand(services, 'insightExplorer.posthog.openInsight', open('default'));
  registerCommand(services, 'insightExplorer.posthog.openPreview', open('preview'));
  registerCommand(services, 'insightExplorer.posthog.openCsv', open('csv'));
  registerCommand(services, 'insightExplorer.posthog.openJson', open('json'));

  registerCommand(services, 'insightExplorer.posthog.loadMore', async (arg?: unknown) => {
    if (!(arg instanceof LoadMoreNode)) return;
    await adapter.model.loadNextPage(arg.source);
    services.refreshTree(arg.group);
  });

  const groupSource = (arg: unknown) => {
    if (arg instanceof InsightsGroupNode) return arg.source;
    throw new InsightError('usage', 'Use this from the Insights group of a PostHog source.');
  };

  registerCommand(services, 'insightExplorer.posthog.filterInsights', async (arg?: unknown) => {
    const source = arg instanceof InsightsGroupNode ? arg.source : await pickSource(services, arg, 'Filter Insights', 'posthog');
    if (!source) return;
    const current = adapter.model.state(source.id).filter;
    const text = await inputText({ title: `Filter insights of ${source.label}` }, { prompt: 'Show insights whose name contains (empty shows all)', value: current });
    if (text === undefined) return;
    await adapter.model.setFilter(source, text);
  });

  registerCommand(services, 'insightExplorer.posthog.clearFilter', async (arg?: unknown) => {
    await adapter.model.setFilter(groupSource(arg), '');
  });

  registerCommand(services, 'insightExplorer.posthog.copyInsightId', async (arg?: unknown) => {
    if (!(arg instanceof InsightNode)) return;
    await vscode.env.clipboard.writeText(String(arg.insight.short_id ?? arg.insight.id));
    void vscode.window.setStatusBarMessage(`Copied id of “${insightName(arg.insight)}”`, 3000);
  });

  registerCommand(services, 'insightExplorer.posthog.openInBrowser', async (arg?: unknown) => {
    if (!(arg instanceof InsightNode)) return;
    const base = arg.source.baseUrl.replace(/\/+$/, '');
    await vscode.env.openExternal(vscode.Uri.parse(`${base}/project/${arg.source.options.projectId}/insights/${arg.insight.short_id ?? arg.insight.id}`));
  });

  return opener;
}
