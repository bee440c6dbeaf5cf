import * as vscode from 'vscode';

/** `insightExplorer.export.formulaGuard` (default on): see src/core/formulaGuard.ts. */
export function formulaGuardSetting(): boolean {
  return vscode.workspace.getConfiguration('insightExplorer.export').get<boolean>('formulaGuard', true);
}
