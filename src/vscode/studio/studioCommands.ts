import * as vscode from 'vscode';
import { InsightError } from '../../core/errors';
import { messageOf } from '../../core/userInput';
import { STUDIO_INSIGHTS, StudioInsight, parsePerspectiveId, parseRole } from '../../core/sources/studio';
import { sourceOfKind } from '../commands/sourceCommands';
import { registerCommand } from '../commands/register';
import type { ResultOpener } from '../documents/resultOpener';
import { inputText, pickOne } from '../prompts';
import { Services } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { type StudioAdapter, StudioOpener } from './studioOpen';
import { StudioPerspectiveRef, perspectivesPatch, readPerspectives } from '../../core/sources/studio/options';
import { INSIGHT_LABEL } from '../../core/sources/studio/result';
import { type StudioItemData, perspectiveOf as perspectiveOfSource } from '../../core/sources/studio/platform';
import { ItemNode } from '../tree/itemNode';

/** Roles offered in the pick. Studio's role values are unconfirmed upstream: "Other role…" takes any. */
const COMMON_ROLES = ['student', 'teacher', 'ta'];
const OTHER = '\u0000other';
const labelRequired = (v: string) => (v.trim() ? undefined : vscode.l10n.t('Enter a label.'));
const SELECT_INSIGHT = () => vscode.l10n.t('Select Overview or Viewers under a Studio perspective first.');

/** The perspective UUID from what was typed or pasted, or the reason it is not one (shown in the box). */
export function validatePerspectiveInput(v: string, existing: readonly StudioPerspectiveRef[] = []): string | undefined {
  if (v.trim() === '') return vscode.l10n.t('Paste the perspective UUID, or the Studio URL that contains it.');
  try {
    const uuid = parsePerspectiveId(v);
    return existing.some((p) => p.uuid === uuid) ? vscode.l10n.t('That perspective is already in the tree.') : undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function registerStudioCommands(
  services: Services,
  adapter: StudioAdapter,
  results: ResultOpener,
): StudioOpener {
  const opener = new StudioOpener(results, adapter);
  const { store } = services;

  const studioSource = (arg: unknown, title: string) => sourceOfKind(services, arg, 'studio', title);

  /** Applies `change` to the stored perspective list (read fresh: tree nodes may hold an older copy). */
  const updatePerspectives = async (
    source: SourceConfig,
    change: (list: StudioPerspectiveRef[]) => StudioPerspectiveRef[],
  ): Promise<void> => {
    const latest = store.get(source.id) ?? source;
    await store.update(source.id, { options: perspectivesPatch(change(readPerspectives(latest))) });
  };

  registerCommand(services, 'insightExplorer.studio.addPerspective', async (arg?: unknown) => {
    const source = await studioSource(arg, vscode.l10n.t('Add Perspective'));
    if (!source) return undefined;
    const title = vscode.l10n.t('Add Perspective to {0}', source.label);
    const existing = readPerspectives(source);
    // Validated in the box, before any request: a typo never reaches Studio.
    const raw = await inputText(
      { title, step: 1, totalSteps: 2 },
      {
        prompt: vscode.l10n.t('Perspective UUID (or paste the Studio Insights page URL that contains it)'),
        placeholder: '3f1c2a9e-8b7d-4c21-9f4e-2d6a1b0c7e55',
        validate: (v) => validatePerspectiveInput(v, existing),
      },
    );
    if (raw === undefined) return undefined;
    const uuid = parsePerspectiveId(raw);
    const label = await inputText(
      { title, step: 2, totalSteps: 2 },
      {
        prompt: vscode.l10n.t('A label for this perspective (e.g. the course and collection)'),
        value: vscode.l10n.t('Perspective {0}', uuid.slice(0, 8)),
        validate: labelRequired,
      },
    );
    if (label === undefined) return undefined;
    await updatePerspectives(source, (list) => [...list.filter((p) => p.uuid !== uuid), { uuid, label: label.trim() }]);
    return uuid;
  });

  const perspectiveOf = (arg: unknown): StudioTarget => {
    const target = studioTarget(services, arg);
    if (!target) throw new InsightError('usage', vscode.l10n.t('Select a Studio perspective in the Insight Explorer view first.'));
    return target;
  };

  registerCommand(services, 'insightExplorer.studio.removePerspective', async (arg?: unknown) => {
    const node = perspectiveOf(arg);
    await updatePerspectives(node.source, (list) => list.filter((p) => p.uuid !== node.perspective.uuid));
  });

  registerCommand(services, 'insightExplorer.studio.renamePerspective', async (arg?: unknown) => {
    const node = perspectiveOf(arg);
    const label = await inputText(
      { title: vscode.l10n.t('Rename perspective') },
      { prompt: vscode.l10n.t('Label'), value: node.perspective.label, validate: labelRequired },
    );
    if (label === undefined) return;
    await updatePerspectives(node.source, (list) =>
      list.map((p) => (p.uuid === node.perspective.uuid ? { ...p, label: label.trim() } : p)),
    );
  });

  /** Set Role Filter…: all roles aggregated, or one role, per insight. Resolves to the role ('' = all). */
  registerCommand(services, 'insightExplorer.studio.setRole', async (arg?: unknown, roleArg?: string) => {
    const target = studioTarget(services, arg);
    if (!target?.insight) throw new InsightError('usage', SELECT_INSIGHT());
    const { perspective, insight, source } = target;
    let role: string | undefined;
    if (roleArg !== undefined) role = roleArg === '' ? '' : parseRole(roleArg);
    else {
      const title = vscode.l10n.t('Role filter: {0} · {1}', perspective.label, INSIGHT_LABEL[insight]);
      const picked = await pickOne(
        { title },
        [
          { label: vscode.l10n.t('All roles'), description: vscode.l10n.t('aggregated (no filter)'), value: '' },
          ...COMMON_ROLES.map((r) => ({ label: r, description: vscode.l10n.t('only this role'), value: r })),
          { label: vscode.l10n.t('Other role…'), description: vscode.l10n.t('a role name your Studio uses'), value: OTHER },
        ],
        vscode.l10n.t('Whose viewing should the insight count?'),
        perspective.roles?.[insight] ?? '',
      );
      if (picked === undefined) return undefined;
      role = picked;
      if (picked === OTHER) {
        const v = await inputText({ title }, { prompt: vscode.l10n.t('Role name, as Studio spells it'), validate: messageOf(parseRole) });
        if (v === undefined) return undefined;
        role = parseRole(v);
      }
    }
    await updatePerspectives(source, (list) =>
      list.map((p) => {
        if (p.uuid !== perspective.uuid) return p;
        const roles = { ...p.roles };
        if (role) roles[insight] = role;
        else delete roles[insight];
        return { ...p, roles };
      }),
    );
    return role ?? '';
  });

  registerCommand(services, 'insightExplorer.studio.open', async (arg?: unknown) => {
    const target = studioTarget(services, arg);
    if (target?.insight) return opener.open(target.source, target.perspective, target.insight);
    // Programmatic form: { sourceId, perspective (UUID), insight, role? }.
    const a = (arg ?? {}) as { sourceId?: string; perspective?: string; insight?: StudioInsight; role?: string };
    const insight = a.insight ?? 'overview';
    if (!STUDIO_INSIGHTS.includes(insight))
      throw new InsightError('usage', vscode.l10n.t('Unknown Studio insight "{0}".', insight), {
        next: vscode.l10n.t('Use overview or users.'),
      });
    if (!a.perspective) throw new InsightError('usage', SELECT_INSIGHT());
    const source = await studioSource(a, vscode.l10n.t('Open Studio Insight'));
    if (!source) return undefined;
    const perspective = perspectiveOfSource(source, parsePerspectiveId(a.perspective));
    return opener.open(source, perspective, insight, a.role === undefined || a.role === '' ? a.role : parseRole(a.role));
  });

  return opener;
}

/** What a Studio item node stands for, with the source and perspective as stored now. */
export interface StudioTarget {
  node: ItemNode;
  source: SourceConfig;
  perspective: StudioPerspectiveRef;
  /** Set for an insight (Overview, Viewers). */
  insight?: StudioInsight;
}

export function studioTarget(services: Services, arg: unknown): StudioTarget | undefined {
  if (!(arg instanceof ItemNode) || arg.source.kind !== 'studio') return undefined;
  const data = arg.item.data as StudioItemData | undefined;
  if (!data?.uuid) return undefined;
  const source = services.store.get(arg.source.id) ?? arg.source;
  return { node: arg, source, perspective: perspectiveOfSource(source, data.uuid), insight: data.insight };
}
