import * as vscode from 'vscode';
import { InsightError, isCancelled, oneLine } from '../../core/errors';
import { parseBaseUrl } from '../../core/url';
import { Services } from '../services';
import { SourceConfig, SourceKind } from '../sources/sourceStore';
import { sourceIdOf } from '../tree/sourceNodes';
import { platformOf } from '../../core/platforms';
import { registerCommand } from './register';
import { ResultStore } from '../documents/resultStore';
import { safeText } from '../../core/text';

async function pickSource(services: Services, arg: unknown, title: string, kind?: SourceKind): Promise<SourceConfig | undefined> {
  const id = sourceIdOf(arg);
  if (id) {
    const s = services.store.get(id);
    if (!s) throw new InsightError('notFound', vscode.l10n.t('That source no longer exists.'), { next: vscode.l10n.t('Refresh the Insight Explorer view.') });
    return s;
  }
  const all = services.store.list().filter((s) => !kind || s.kind === kind);
  if (all.length === 0) throw new InsightError('usage', vscode.l10n.t('No sources configured yet.'), { next: vscode.l10n.t('Run “Insight Explorer: Add Source”.') });
  if (all.length === 1) return all[0];
  return services.input.pick(
    { title },
    all.map((s) => ({ label: s.label, description: services.kinds.get(s.kind)?.describe(s), value: s })),
    vscode.l10n.t('Pick a source'),
  );
}
export { pickSource };

/**
 * The current stored source of `kind` behind a node or `{sourceId}` (nodes may hold an older
 * copy), or the one picked when the command came from the palette; undefined when dismissed.
 */
export async function sourceOfKind(services: Services, arg: unknown, kind: SourceKind, title: string): Promise<SourceConfig | undefined> {
  const id = sourceIdOf(arg);
  const source = id ? services.store.get(id) : await pickSource(services, undefined, title, kind);
  if (id && !source) throw new InsightError('notFound', vscode.l10n.t('That source no longer exists.'), { next: vscode.l10n.t('Refresh the Insight Explorer view.') });
  if (source && source.kind !== kind) throw new InsightError('usage', vscode.l10n.t('“{0}” is not a source of {1}.', source.label, platformOf(kind).label));
  return source;
}

/** Test Connection with progress; resolves to true when it worked. */
async function testWithProgress(
  services: Services,
  source: SourceConfig,
  secret: string,
): Promise<{ ok: true; message: string } | { ok: false; error: unknown }> {
  const adapter = services.kinds.get(source.kind)!;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing connection to {0}…', source.label), cancellable: true },
    async (_p, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      try {
        return { ok: true as const, message: await adapter.testConnection(source, secret, ac.signal) };
      } catch (e) {
        return { ok: false as const, error: e };
      }
    },
  );
}

export function registerSourceCommands(services: Services, results: ResultStore): void {
  const { store } = services;

  registerCommand(services, 'insightExplorer.addSource', async (kindArg?: SourceKind) => {
    const title = vscode.l10n.t('Add Source');
    const kinds = [...services.kinds.values()];
    const kind =
      typeof kindArg === 'string' && services.kinds.has(kindArg)
        ? kindArg
        : await services.input.pick(
            { title, step: 1 },
            kinds.map((k) => ({ label: k.label, detail: k.detail, icon: k.icon, value: k.kind })),
            vscode.l10n.t('Which platform?'),
          );
    if (!kind) return undefined;
    const adapter = services.kinds.get(kind)!;
    const created = await adapter.add(title, 2);
    if (!created) return undefined;
    let draft: SourceConfig = { ...created.input, id: 'draft', createdAt: new Date().toISOString() };
    let secret = created.secret;
    let test = await testWithProgress(services, draft, secret);
    // A failed test is not a dead end: the key or the URL can be fixed here and tested again.
    const SET_CREDENTIALS = vscode.l10n.t('Set Credentials…');
    const EDIT_URL = vscode.l10n.t('Edit URL…');
    const SAVE_ANYWAY = vscode.l10n.t('Save Anyway');
    while (!test.ok) {
      if (isCancelled(test.error)) return undefined;
      const msg = services.redactor.redact(oneLine(test.error));
      services.log.warn(`Add Source: connection test failed: ${msg}`);
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('Connection test failed: {0}', msg),
        SET_CREDENTIALS,
        EDIT_URL,
        SAVE_ANYWAY,
        vscode.l10n.t('Discard'),
      );
      if (choice === SAVE_ANYWAY) break;
      if (choice === SET_CREDENTIALS) {
        const next = await adapter.promptSecret(draft);
        if (next === undefined) return undefined;
        secret = next;
      } else if (choice === EDIT_URL) {
        const url = await services.input.text(
          { title: vscode.l10n.t('{0}: {1}', title, draft.label) },
          {
            prompt: vscode.l10n.t('Base URL (the site root, https://)'),
            value: draft.baseUrl,
            validate: (v) => {
              try {
                parseBaseUrl(v.trim());
                return undefined;
              } catch (e) {
                return oneLine(e);
              }
            },
          },
        );
        if (url === undefined) return undefined;
        draft = { ...draft, baseUrl: parseBaseUrl(url.trim()).toString().replace(/\/+$/, '') };
      } else {
        return undefined;
      }
      test = await testWithProgress(services, draft, secret);
    }
    const { id, createdAt, ...input } = draft;
    (void id, void createdAt); // the draft's placeholders; the store assigns both
    const source = await store.add(input, secret);
    services.log.info(`Added source ${source.label} (${source.kind}, ${source.baseUrl}).`);
    if (test.ok) void vscode.window.showInformationMessage(safeText(vscode.l10n.t('{0}: {1}', source.label, test.message)));
    services.refreshTree();
    return source.id;
  });

  registerCommand(services, 'insightExplorer.editSource', async (arg?: unknown) => {
    const source = await pickSource(services, arg, vscode.l10n.t('Edit Source'));
    if (!source) return;
    const patch = await services.kinds.get(source.kind)!.edit(source);
    if (!patch) return;
    await store.update(source.id, patch);
    services.kinds.get(source.kind)!.forget(source.id);
    services.refreshTree();
  });

  registerCommand(services, 'insightExplorer.setCredentials', async (arg?: unknown) => {
    const source = await pickSource(services, arg, vscode.l10n.t('Set Credentials'));
    if (!source) return;
    const secret = await services.kinds.get(source.kind)!.promptSecret(source);
    if (!secret) return;
    await store.setSecret(source.id, secret);
    services.redactor.add(secret);
    services.kinds.get(source.kind)!.forget(source.id);
    services.refreshTree();
    const test = await testWithProgress(services, source, secret);
    if (test.ok) void vscode.window.showInformationMessage(safeText(vscode.l10n.t('{0}: {1}', source.label, test.message)));
    else if (!isCancelled(test.error))
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Credentials saved, but the connection test failed: {0}', services.redactor.redact(oneLine(test.error))),
      );
  });

  registerCommand(services, 'insightExplorer.removeSource', async (arg?: unknown) => {
    const source = await pickSource(services, arg, vscode.l10n.t('Remove Source'));
    if (!source) return;
    // A quick pick rather than a modal dialog: it is keyboard-first like the rest of the flows.
    const confirm = await services.input.pick(
      { title: vscode.l10n.t('Remove “{0}”?', source.label) },
      [
        { label: vscode.l10n.t('Remove'), description: vscode.l10n.t('Deletes the source, its stored credentials and its downloaded results'), value: 'Remove' },
        { label: vscode.l10n.t('Cancel'), value: 'Cancel' },
      ],
      vscode.l10n.t('This cannot be undone.'),
    );
    if (confirm !== 'Remove') return;
    await store.remove(source.id);
    services.kinds.get(source.kind)?.forget(source.id);
    await results.removeSource(source.id);
    services.log.info(`Removed source ${source.label}.`);
    services.refreshTree();
  });

  registerCommand(services, 'insightExplorer.testConnection', async (arg?: unknown) => {
    const source = await pickSource(services, arg, vscode.l10n.t('Test Connection'));
    if (!source) return;
    const secret = await store.getSecret(source.id);
    if (!secret) throw new InsightError('auth', vscode.l10n.t('No credentials stored for “{0}”.', source.label), { next: vscode.l10n.t('Use Set Credentials….') });
    const test = await testWithProgress(services, source, secret);
    if (!test.ok) throw test.error;
    void vscode.window.showInformationMessage(safeText(vscode.l10n.t('{0}: {1}', source.label, test.message)));
    return test.message;
  });

  registerCommand(services, 'insightExplorer.refresh', async (arg?: unknown) => {
    const id = sourceIdOf(arg);
    for (const s of store.list()) if (!id || s.id === id) services.kinds.get(s.kind)?.forget(s.id);
    services.refreshTree();
  });

  registerCommand(services, 'insightExplorer.showLog', () => services.channel.show());

  registerCommand(services, 'insightExplorer.openPermissionDocs', async (arg?: unknown) => {
    const source = await pickSource(services, arg, vscode.l10n.t('Permission Docs'));
    if (!source) return;
    await vscode.env.openExternal(vscode.Uri.parse(platformOf(source.kind).permissionDocs));
  });
}
