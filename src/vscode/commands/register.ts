import * as vscode from 'vscode';
import { platformOf } from '../../core/platforms';
import { InsightError, isCancelled, oneLine } from '../../core/errors';
import { safeText } from '../../core/text';
import { Services } from '../services';
import { sourceIdOf } from '../tree/sourceNodes';

/**
 * The last failures of commands, newest last (kept for the integration tests' API: a failed command
 * resolves to undefined, see registerCommand).
 */
export interface CommandFailure {
  seq: number;
  command: string;
  error: unknown;
}
const failures: CommandFailure[] = [];
let failureSeq = 0;

export function recentCommandFailures(): CommandFailure[] {
  return failures.slice();
}

/**
 * The one registerCommand wrapper: pushes to subscriptions and turns every thrown error into a
 * logged, shown one-line message with the action that fixes it (Set Credentials, Edit Source…),
 * shown once (the command then resolves to undefined).
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
        const sourceId = sourceIdOf(args[0]);
        const kind = sourceId ? services.store.get(sourceId)?.kind : undefined;
        void showError(message, e, sourceId, kind ? platformOf(kind).permissionDocs : undefined);
        // Shown once, here: a rejected command run from a tree click, a menu or the palette would
        // be reported by VS Code a second time. So the command resolves to undefined, and the
        // failure is kept for the tests' API.
        failures.push({ seq: ++failureSeq, command: id, error: e });
        if (failures.length > 50) failures.shift();
        return undefined;
      }
    }),
  );
}

/**
 * One notification for a failure, with the actions that can fix it: Set Credentials… for a
 * refused key (401), the platform's permission docs for a refused permission (403: a new key of
 * the same user would not help), Edit Source… for a wrong id or URL, and Show Log.
 */
export async function showError(message: string, e: unknown, sourceId?: string, permissionDocs?: string): Promise<void> {
  const setCredentials = vscode.l10n.t('Set Credentials…');
  const editSource = vscode.l10n.t('Edit Source…');
  const showLog = vscode.l10n.t('Show Log');
  const permissionDocsAction = PERMISSION_DOCS_ACTION();
  const actions: string[] = [];
  if (e instanceof InsightError && sourceId) {
    if (e.kind === 'auth' && e.status === 403) {
      if (permissionDocs) actions.push(permissionDocsAction);
    } else if (e.kind === 'auth') actions.push(setCredentials);
    if (e.kind === 'notFound' || e.kind === 'usage') actions.push(editSource);
  }
  actions.push(showLog);
  // Messages quote servers (error details, names): shown escaped, never as control characters.
  const choice = await vscode.window.showErrorMessage(safeText(message), ...actions);
  if (choice === setCredentials) await vscode.commands.executeCommand('insightExplorer.setCredentials', { sourceId });
  else if (choice === editSource) await vscode.commands.executeCommand('insightExplorer.editSource', { sourceId });
  else if (choice === permissionDocsAction && permissionDocs) await vscode.env.openExternal(vscode.Uri.parse(permissionDocs));
  else if (choice === showLog) await vscode.commands.executeCommand('insightExplorer.showLog');
}

/** The button that opens a platform's permission docs (a function: localized when called). */
export const PERMISSION_DOCS_ACTION = (): string => vscode.l10n.t('Permission Docs');
