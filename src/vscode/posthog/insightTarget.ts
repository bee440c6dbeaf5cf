import * as vscode from 'vscode';
import { PostHogInsight, insightName } from '../../core/sources/posthog/types';
import { pickSource } from '../commands/sourceCommands';
import { inputText, pickOne } from '../prompts';
import { Services } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { PostHogAdapter } from './posthogTree';
import { InsightNode } from './posthogTree';

/** The insight a command acts on, and the tree node it came from, if any. */
export interface InsightTarget {
  source: SourceConfig;
  insight: PostHogInsight;
  node?: InsightNode;
}

const validateId = (v: string) =>
  /^[A-Za-z0-9]+$/.test(v.trim()) ? undefined : vscode.l10n.t('Use the numeric id or the 8-character short id from the insight URL.');

/**
 * Resolves a command argument to an insight: a tree node, `{sourceId, insightId}` (scripts and
 * tests), or, from the palette, a pick among the source's insights (or a typed id).
 */
export async function insightTarget(
  services: Services,
  adapter: PostHogAdapter,
  arg: unknown,
  title: string,
): Promise<InsightTarget | undefined> {
  if (arg instanceof InsightNode) return { source: arg.source, insight: arg.insight, node: arg };
  const a = (arg ?? {}) as { sourceId?: string; insightId?: string | number };
  const source = await pickSource(services, a.sourceId ? { sourceId: a.sourceId } : undefined, title, 'posthog');
  if (!source) return undefined;
  const client = await adapter.client(source);
  if (a.insightId !== undefined) return { source, insight: await client.getInsightBasic(a.insightId) };

  let known = adapter.model.state(source.id).list.insights;
  if (known.length === 0) known = (await client.listPage({ limit: 100, basic: true })).results;
  const picked = await pickOne<PostHogInsight | 'id'>(
    { title },
    [
      ...known.map((i) => ({
        label: insightName(i) || vscode.l10n.t('Untitled insight {0}', i.short_id),
        description: `${i.id} · ${i.short_id ?? ''}`,
        detail: i.tags?.length ? i.tags.join(', ') : undefined,
        value: i as PostHogInsight | 'id',
      })),
      { label: vscode.l10n.t('Enter an insight id…'), iconPath: new vscode.ThemeIcon('edit'), value: 'id' as const, alwaysShow: true },
    ],
    vscode.l10n.t('Pick an insight (type to filter)'),
  );
  if (picked === undefined) return undefined;
  if (picked !== 'id') return { source, insight: picked };
  const id = await inputText({ title }, { prompt: vscode.l10n.t('Insight id or short id'), placeholder: vscode.l10n.t('123 or aBcD1234'), validate: validateId });
  if (!id) return undefined;
  return { source, insight: await client.getInsightBasic(id.trim()) };
}

/** The name people see for an insight, for titles and messages. */
export function displayName(i: PostHogInsight): string {
  return insightName(i) || vscode.l10n.t('Untitled insight {0}', i.short_id ?? i.id);
}
