import * as vscode from 'vscode';
import { InsightError } from '../../core/errors';
import type { OpenTarget, ResultOpener } from '../documents/resultOpener';
import type { Services } from '../services';
import { PlatformAdapter } from '../sources/platformAdapter';
import { ItemNode } from '../tree/itemNode';
import { registerCommand } from './register';

/**
 * The generic commands of platform items, offered by capability (`viewItem =~ /;open;/`): one
 * Open and one Open Raw Answer for every platform on the contract, and Copy Id.
 */
export function registerItemCommands(services: Services, opener: ResultOpener): void {
  const open = (target: OpenTarget) => async (arg?: unknown) => {
    if (!(arg instanceof ItemNode) || !arg.can(target === 'raw' ? 'openRaw' : 'open'))
      throw new InsightError('usage', vscode.l10n.t('Select an item to open in the Insight Explorer view first.'));
    const adapter = services.kinds.get(arg.source.kind);
    if (!(adapter instanceof PlatformAdapter)) throw new InsightError('usage', vscode.l10n.t('{0} sources need a newer Insight Explorer.', arg.source.kind));
    return opener.open(adapter, services.store.get(arg.source.id) ?? arg.source, arg.item, target);
  };
  registerCommand(services, 'insightExplorer.open', open('default'));
  registerCommand(services, 'insightExplorer.openRaw', open('raw'));

  registerCommand(services, 'insightExplorer.copyId', async (arg?: unknown) => {
    if (!(arg instanceof ItemNode) || !arg.item.id) throw new InsightError('usage', vscode.l10n.t('Select an item with an id in the Insight Explorer view first.'));
    await vscode.env.clipboard.writeText(arg.item.id);
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', arg.item.id), 3000);
    return arg.item.id;
  });
}
