/**
 * Sharing of one insight as a quick pick "panel": its rows show the state (public link on/off,
 * password required, passwords) and each one is an action. The panel comes back after every
 * change until it is closed, so several changes take one command.
 *
 * Confirmations are quick picks too (modal dialogs are keyboard-hostile and refused in the test
 * workbench). A new share password is shown once, in an input box that leaves no trace in the
 * notification history; it is never stored or logged.
 */
import * as vscode from 'vscode';
import { PostHogClient } from '../../core/sources/posthog/client';
import { SharePassword, SharingState, shareUrl, validateSharePassword } from '../../core/sources/posthog/sharing';
import { registerCommand } from '../commands/register';
import { PickItem, inputText, pickOne } from '../prompts';
import { Services } from '../services';
import { relativeTime } from '../tree/nodes';
import { InsightTarget, displayName, insightTarget } from './insightTarget';
import { PostHogAdapter } from './posthogTree';

type Action = 'enable' | 'disable' | 'copy' | 'requirePassword' | 'dropPassword' | 'addPassword' | 'refresh' | { remove: SharePassword };

async function confirm(title: string, action: string, detail: string): Promise<boolean> {
  const choice = await pickOne(
    { title },
    [
      { label: action, description: detail, value: true },
      { label: vscode.l10n.t('Cancel'), value: false },
    ],
    detail,
  );
  return choice === true;
}

function panelItems(state: SharingState, link: string | undefined): PickItem<Action>[] {
  const icon = (id: string) => new vscode.ThemeIcon(id);
  const items: PickItem<Action>[] = [];
  if (state.enabled)
    items.push({
      label: vscode.l10n.t('Disable public link'),
      description: vscode.l10n.t('anyone with the link can see this insight now'),
      iconPath: icon('globe'),
      value: 'disable',
    });
  else items.push({ label: vscode.l10n.t('Enable public link'), description: vscode.l10n.t('private to your project now'), iconPath: icon('lock'), value: 'enable' });
  if (link) items.push({ label: vscode.l10n.t('Copy link'), description: link, iconPath: icon('copy'), value: 'copy' });
  if (state.password_required)
    items.push({
      label: vscode.l10n.t('Stop requiring a password'),
      description: vscode.l10n.t('the link asks for a password now'),
      iconPath: icon('unlock'),
      value: 'dropPassword',
    });
  else
    items.push({
      label: vscode.l10n.t('Require a password'),
      description: vscode.l10n.t('the link opens without a password now'),
      iconPath: icon('key'),
      value: 'requirePassword',
    });
  items.push({ label: vscode.l10n.t('Add a share password…'), iconPath: icon('add'), value: 'addPassword' });
  for (const p of (state.share_passwords ?? []).filter((x) => x.is_active !== false)) {
    const made = [p.created_by_email && vscode.l10n.t('by {0}', p.created_by_email), p.created_at && relativeTime(p.created_at)].filter(Boolean).join(' · ');
    items.push({ label: vscode.l10n.t('Remove password “{0}”…', p.note || vscode.l10n.t('untitled')), description: made, iconPath: icon('trash'), value: { remove: p } });
  }
  if (state.enabled)
    items.push({
      label: vscode.l10n.t('Refresh link…'),
      description: vscode.l10n.t('a new link; the old one stops working'),
      iconPath: icon('refresh'),
      value: 'refresh',
    });
  return items;
}

export function registerSharingCommands(services: Services, adapter: PostHogAdapter): void {
  registerCommand(services, 'insightExplorer.posthog.showSharing', async (arg?: unknown) => {
    const t = await insightTarget(services, adapter, arg, vscode.l10n.t('Show Sharing'));
    if (!t) return undefined;
    const client = await adapter.client(t.source);
    let state = await client.sharing(t.insight.id);
    for (;;) {
      const link = state.enabled && state.access_token ? shareUrl(t.source.baseUrl, state.access_token) : undefined;
      const summary = vscode.l10n.t(
        'Public link {0} · {1}',
        state.enabled ? vscode.l10n.t('on') : vscode.l10n.t('off'),
        state.password_required ? vscode.l10n.t('password required') : vscode.l10n.t('no password'),
      );
      const action = await pickOne({ title: vscode.l10n.t('Sharing: {0}', displayName(t.insight)) }, panelItems(state, link), summary);
      if (action === undefined) return state;
      if (action === 'copy') {
        if (link) await vscode.env.clipboard.writeText(link);
        void vscode.window.setStatusBarMessage(vscode.l10n.t('PostHog: public link copied'), 4000);
        return state;
      }
      const next = await apply(services, client, t, state, action);
      if (next) state = next;
    }
  });
}

/** Runs one panel action; the new state, or undefined when it was cancelled. */
async function apply(
  services: Services,
  client: PostHogClient,
  t: InsightTarget,
  state: SharingState,
  action: Exclude<Action, 'copy'>,
): Promise<SharingState | undefined> {
  const id = t.insight.id;
  const name = displayName(t.insight);
  switch (action) {
    case 'enable':
    case 'disable':
      services.log.info(`Insight ${id}: public link ${action}d.`);
      return client.updateSharing(id, { enabled: action === 'enable' });
    case 'requirePassword':
    case 'dropPassword':
      return client.updateSharing(id, { password_required: action === 'requirePassword' });
    case 'refresh':
      if (
        !(await confirm(
          vscode.l10n.t('Refresh the public link of “{0}”?', name),
          vscode.l10n.t('Refresh link'),
          vscode.l10n.t('The old link stops working at once; share the new one.'),
        ))
      )
        return undefined;
      services.log.info(`Insight ${id}: public link refreshed.`);
      return client.refreshSharing(id);
    case 'addPassword': {
      const raw = await inputText(
        { title: vscode.l10n.t('New share password for “{0}”', name) },
        {
          prompt: vscode.l10n.t('Password (at least 8 characters), or leave empty to let PostHog generate one'),
          password: true,
          validate: validateSharePassword,
        },
      );
      if (raw === undefined) return undefined;
      const note = await inputText(
        { title: vscode.l10n.t('New share password for “{0}”', name) },
        {
          prompt: vscode.l10n.t('Note to recognise it later (optional), e.g. who it is for'),
          validate: (v) => (v.length > 100 ? vscode.l10n.t('At most 100 characters.') : undefined),
        },
      );
      if (note === undefined) return undefined;
      // PostHog only accepts passwords once the share requires one.
      if (!state.password_required) await client.updateSharing(id, { password_required: true });
      const created = await client.addSharePassword(id, { rawPassword: raw, note: note.trim() });
      services.log.info(`Insight ${id}: share password ${created.id} added.`);
      const copy = await inputText(
        { title: vscode.l10n.t('Share password created') },
        { prompt: vscode.l10n.t('Shown only this once. Enter copies it to the clipboard; Escape closes.'), value: created.password },
      );
      if (copy !== undefined) await vscode.env.clipboard.writeText(created.password);
      return client.sharing(id);
    }
    default: {
      const p = action.remove;
      if (
        !(await confirm(
          vscode.l10n.t('Remove password “{0}”?', p.note || vscode.l10n.t('untitled')),
          vscode.l10n.t('Remove password'),
          vscode.l10n.t('People using it can no longer open the link.'),
        ))
      )
        return undefined;
      await client.removeSharePassword(id, p.id);
      services.log.info(`Insight ${id}: share password ${p.id} removed.`);
      return client.sharing(id);
    }
  }
}
