import * as vscode from 'vscode';
import { InsightError, isCancelled, oneLine } from '../../core/errors';
import { Services } from '../services';
import { sourceIdOf } from '../tree/sourceNodes';

/**
 * The one registerCommand wrapper: pushes to subscriptions and turns every thrown error into a
 * logged, shown one-line message with the action that fixes it (Set Credentials, Edit Source…).
 */
export function registerCommand(services: Services, id: string, fn: (...args: any[]) => unknown): void {
  services.context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        if (isCancelled(e)) return undefined;
        const message = services.redactor.redact(oneLine(e));
        services.log.error(`${id}: ${message}`);
        void showError(message, e, sourceIdOf(args[0]));
        // Rethrow for programmatic callers (tests, other commands) so failures are not silent.
        throw e;
      }
    }),
  );
}

export async function showError(message: string, e: unknown, sourceId?: string): Promise<void> {
  const actions: string[] = [];
  if (e instanceof InsightError && sourceId) {
    if (e.kind === 'auth') actions.push('Set Credentials…');
    if (e.kind === 'notFound' || e.kind === 'usage') actions.push('Edit Source…');
  }
  actions.push('Show Log');
  const choice = await vscode.window.showErrorMessage(message, ...actions);
  if (choice === 'Set Credentials…') await vscode.commands.executeCommand('insightExplorer.setCredentials', { sourceId });
  else if (choice === 'Edit Source…') await vscode.commands.executeCommand('insightExplorer.editSource', { sourceId });
  else if (choice === 'Show Log') await vscode.commands.executeCommand('insightExplorer.showLog');
}
