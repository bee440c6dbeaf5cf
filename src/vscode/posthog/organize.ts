/**
 * Organizing insights: rename, description, tags, favourites, trash with Undo, and the Insights
 * group's server-side filters (tag, favourites, kind, created by me).
 */
import * as vscode from 'vscode';
import { InsightError, oneLine } from '../../core/errors';
import { trashAlertsWarning } from '../../core/sources/posthog/alerts';
import { INSIGHT_FILTER_KINDS, InsightFilterKind, InsightPatch, PostHogInsight } from '../../core/sources/posthog/types';
import { pickSource } from '../commands/sourceCommands';
import { registerCommand, showError } from '../commands/register';
import { inputText, pickOne } from '../prompts';
import { Services } from '../services';
import { InsightTarget, displayName, insightTarget } from './insightTarget';
import { PostHogAdapter } from './posthogTree';
import { InsightsGroupNode } from './posthogTree';
import type { SourceConfig } from '../sources/sourceStore';
import { safeText } from '../../core/text';

/** PostHog's limit on insight names (InsightSerializer, max_length=400). */
const MAX_NAME = 400;

/** "a, b,, c " → ["a", "b", "c"], without repeats. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

export function registerOrganizeCommands(services: Services, adapter: PostHogAdapter): void {
  /** `done` goes to the log (in English), `shown` to the status bar. */
  const update = async (t: InsightTarget, patch: InsightPatch, done: string, shown: string): Promise<PostHogInsight> => {
    const client = await adapter.client(t.source);
    const updated = await client.updateInsight(t.insight.id, patch);
    adapter.model.applyUpdate(t.source, updated);
    services.log.info(`Insight ${t.insight.id}: ${done}.`);
    void vscode.window.setStatusBarMessage(vscode.l10n.t('PostHog: {0}', shown), 4000);
    return updated;
  };

  registerCommand(services, 'insightExplorer.posthog.rename', async (arg?: unknown) => {
    const t = await insightTarget(services, adapter, arg, vscode.l10n.t('Rename Insight'));
    if (!t) return undefined;
    const name = await inputText(
      { title: vscode.l10n.t('Rename “{0}”', displayName(t.insight)) },
      {
        prompt: vscode.l10n.t('New name'),
        value: t.insight.name ?? '',
        validate: (v) =>
          !v.trim() ? vscode.l10n.t('Enter a name.') : v.trim().length > MAX_NAME ? vscode.l10n.t('PostHog allows at most {0} characters.', MAX_NAME) : undefined,
      },
    );
    if (name === undefined || name.trim() === (t.insight.name ?? '')) return undefined;
    return update(t, { name: name.trim() }, `renamed to “${name.trim()}”`, vscode.l10n.t('renamed to “{0}”', name.trim()));
  });

  registerCommand(services, 'insightExplorer.posthog.editDescription', async (arg?: unknown) => {
    const t = await insightTarget(services, adapter, arg, vscode.l10n.t('Edit Description'));
    if (!t) return undefined;
    const text = await inputText(
      { title: vscode.l10n.t('Description of “{0}”', displayName(t.insight)) },
      { prompt: vscode.l10n.t('Description (empty removes it)'), value: t.insight.description ?? '' },
    );
    if (text === undefined || text.trim() === (t.insight.description ?? '')) return undefined;
    return text.trim()
      ? update(t, { description: text.trim() }, 'description changed', vscode.l10n.t('description changed'))
      : update(t, { description: '' }, 'description removed', vscode.l10n.t('description removed'));
  });

  registerCommand(services, 'insightExplorer.posthog.editTags', async (arg?: unknown) => {
    const t = await insightTarget(services, adapter, arg, vscode.l10n.t('Edit Tags'));
    if (!t) return undefined;
    const text = await inputText(
      { title: vscode.l10n.t('Tags of “{0}”', displayName(t.insight)) },
      { prompt: vscode.l10n.t('Tags, separated by commas (empty removes all)'), value: (t.insight.tags ?? []).join(', '), placeholder: 'kpi, weekly' },
    );
    if (text === undefined) return undefined;
    const tags = parseTags(text);
    if (JSON.stringify(tags) === JSON.stringify(t.insight.tags ?? [])) return undefined;
    return tags.length
      ? update(t, { tags }, `tags set to ${tags.join(', ')}`, vscode.l10n.t('tags set to {0}', tags.join(', ')))
      : update(t, { tags }, 'tags removed', vscode.l10n.t('tags removed'));
  });

  registerCommand(services, 'insightExplorer.posthog.favorite', async (arg?: unknown) => {
    const t = await insightTarget(services, adapter, arg, vscode.l10n.t('Add to Favourites'));
    return t && update(t, { favorited: true }, `“${displayName(t.insight)}” added to favourites`, vscode.l10n.t('“{0}” added to favourites', displayName(t.insight)));
  });

  registerCommand(services, 'insightExplorer.posthog.unfavorite', async (arg?: unknown) => {
    const t = await insightTarget(services, adapter, arg, vscode.l10n.t('Remove from Favourites'));
    return t && update(t, { favorited: false }, `“${displayName(t.insight)}” removed from favourites`, vscode.l10n.t('“{0}” removed from favourites', displayName(t.insight)));
  });

  // No confirmation while the trash is reversible: the notification offers Undo right away. An
  // insight with alerts asks first, because PostHog deletes the alerts and Undo cannot restore them.
  registerCommand(services, 'insightExplorer.posthog.trash', async (arg?: unknown) => {
    const t = await insightTarget(services, adapter, arg, vscode.l10n.t('Move Insight to Trash'));
    if (!t) return undefined;
    const client = await adapter.client(t.source);
    const { id } = t.insight;
    const name = displayName(t.insight);
    const warning = trashAlertsWarning(name, (await client.insightAlerts(id)).length);
    const moveToTrash = vscode.l10n.t('Move to Trash');
    if (warning && (await vscode.window.showWarningMessage(warning, moveToTrash, vscode.l10n.t('Keep'))) !== moveToTrash) return undefined;
    await client.trashInsight(id);
    const position = adapter.model.removeInsight(t.source, id);
    services.log.info(`Moved insight ${id} to the trash.`);
    // Not awaited: the command is done; Undo may come much later, or never.
    const undo = vscode.l10n.t('Undo');
    void vscode.window.showInformationMessage(safeText(vscode.l10n.t('Moved “{0}” to the trash.', name)), undo).then(async (choice) => {
      if (choice !== undo) return;
      try {
        const restored = await client.restoreInsight(id);
        adapter.model.insertInsight(t.source, restored, Math.max(0, position));
        services.log.info(`Restored insight ${id} from the trash.`);
        void vscode.window.setStatusBarMessage(vscode.l10n.t('PostHog: restored “{0}”', name), 4000);
      } catch (e) {
        const message = services.redactor.redact(oneLine(e));
        services.log.error(`Restoring insight ${id}: ${message}`);
        void showError(vscode.l10n.t('Could not restore “{0}”: {1}', name, message), e, t.source.id);
      }
    });
    return { id, trashed: true };
  });

  registerCommand(services, 'insightExplorer.posthog.filterBy', async (arg?: unknown) => {
    const source = arg instanceof InsightsGroupNode ? arg.source : await pickSource(services, arg, vscode.l10n.t('Filter Insights By'), 'posthog');
    if (!source) return;
    // “Created by me” needs to know who owns the key; a key without user:read cannot say, and the
    // picker then comes back without that filter.
    while (await pickFilter(source));
  });

  /** One round of the filter picker; true when it should open again (“Created by me” was refused). */
  const pickFilter = async (source: SourceConfig): Promise<boolean> => {
    const st = adapter.model.state(source.id);
    const f = st.filters;
    type Choice = 'search' | 'tag' | 'favorited' | 'kind' | 'mine' | 'clear';
    const on = (b: boolean) => (b ? vscode.l10n.t('on') : vscode.l10n.t('off'));
    const choice = await pickOne<Choice>(
      { title: vscode.l10n.t('Filter insights of {0}', source.label) },
      [
        {
          label: vscode.l10n.t('Name contains…'),
          description: st.filter ? `“${st.filter}”` : vscode.l10n.t('any name'),
          iconPath: new vscode.ThemeIcon('search'),
          value: 'search',
        },
        { label: vscode.l10n.t('Tag…'), description: f.tags.length ? f.tags.join(', ') : vscode.l10n.t('any tag'), iconPath: new vscode.ThemeIcon('tag'), value: 'tag' },
        { label: vscode.l10n.t('Favourites only'), description: on(f.favorited), iconPath: new vscode.ThemeIcon('star-full'), value: 'favorited' },
        { label: vscode.l10n.t('Kind…'), description: f.kind ?? vscode.l10n.t('any kind'), iconPath: new vscode.ThemeIcon('symbol-class'), value: 'kind' },
        ...(st.meRefused ? [] : [{ label: vscode.l10n.t('Created by me'), description: on(f.mine), iconPath: new vscode.ThemeIcon('person'), value: 'mine' as const }]),
        ...(st.filtered ? [{ label: vscode.l10n.t('Clear all filters'), iconPath: new vscode.ThemeIcon('clear-all'), value: 'clear' as const }] : []),
      ],
      st.filtered ? vscode.l10n.t('Showing: {0}', st.describeFilters()) : vscode.l10n.t('Showing every saved insight'),
    );
    if (!choice) return false;
    if (choice === 'clear') {
      adapter.model.clearFilters(source);
      return false;
    }
    if (choice === 'favorited') {
      adapter.model.setFilters(source, { favorited: !f.favorited });
      return false;
    }
    if (choice === 'mine') {
      if (!f.mine) {
        try {
          await adapter.model.me(source);
        } catch (e) {
          if (!(e instanceof InsightError && e.kind === 'auth')) throw e;
          st.meRefused = true;
          const message = services.redactor.redact(oneLine(e));
          services.log.warn(`Created by me on ${source.label}: ${message}`);
          void vscode.window.showWarningMessage(message);
          return true;
        }
      }
      adapter.model.setFilters(source, { mine: !f.mine });
      return false;
    }
    if (choice === 'search') {
      const text = await inputText(
        { title: vscode.l10n.t('Filter insights of {0}', source.label) },
        { prompt: vscode.l10n.t('Show insights whose name contains (empty shows all)'), value: st.filter },
      );
      if (text !== undefined) await adapter.model.setFilter(source, text);
      return false;
    }
    if (choice === 'kind') {
      const kind = await pickOne<InsightFilterKind | ''>(
        { title: vscode.l10n.t('Insight kind') },
        [
          { label: vscode.l10n.t('Any kind'), value: '' as const },
          ...INSIGHT_FILTER_KINDS.map((k) => ({ label: k.charAt(0) + k.slice(1).toLowerCase(), description: k, value: k })),
        ],
        vscode.l10n.t('Show only insights of this kind'),
        f.kind ?? '',
      );
      if (kind !== undefined) adapter.model.setFilters(source, { kind: kind || undefined });
      return false;
    }
    // Tags: those seen on loaded insights, or any typed one.
    const seen = [...new Set(st.list.insights.flatMap((i) => i.tags ?? []))].sort();
    const tag = await pickOne<string>(
      { title: vscode.l10n.t('Filter by tag') },
      [
        { label: vscode.l10n.t('Any tag'), value: '' },
        ...seen.map((t) => ({ label: t, value: t })),
        { label: vscode.l10n.t('Other tag…'), iconPath: new vscode.ThemeIcon('edit'), value: '\u0000other', alwaysShow: true },
      ],
      vscode.l10n.t('Show only insights with this tag'),
    );
    if (tag === undefined) return false;
    const chosen = tag === '\u0000other' ? await inputText({ title: vscode.l10n.t('Filter by tag') }, { prompt: vscode.l10n.t('Tag') }) : tag;
    if (chosen !== undefined) adapter.model.setFilters(source, { tags: chosen.trim() ? [chosen.trim()] : [] });
    return false;
  };
}
