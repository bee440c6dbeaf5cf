import * as vscode from 'vscode';
import { InsightError } from '../../core/errors';
import { Services } from '../services';
import { registerCommand } from './register';

/** The walkthrough's id in package.json (`contributes.walkthroughs`). */
export const WALKTHROUGH_ID = 'gettingStarted';
/** The bundled sample the walkthrough's last step opens (packaged with media/). */
export const SAMPLE_DATA = ['media', 'walkthrough', 'sample-lecture-views.csv'];

/**
 * First-run help without a network: the Getting Started walkthrough, the README shipped inside the
 * extension (rendered by VS Code's Markdown preview), and a sample table for the preview.
 */
export function registerWelcomeCommands(services: Services): void {
  const { context } = services;
  registerCommand(services, 'insightExplorer.getStarted', () =>
    // `<publisher>.<name>#<walkthrough id>`; false: open it in the active editor group.
    vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false),
  );
  registerCommand(services, 'insightExplorer.openReadme', async () =>
    vscode.commands.executeCommand('markdown.showPreview', await bundledReadme(context.extensionUri)),
  );
  registerCommand(services, 'insightExplorer.openSampleData', () =>
    vscode.commands.executeCommand('insightExplorer.openFilePreview', vscode.Uri.joinPath(context.extensionUri, ...SAMPLE_DATA)),
  );
}

/**
 * The README inside the extension folder: `README.md` in a source checkout, `readme.md` in an
 * installed .vsix (vsce stores it under that name, and extension folders are case-sensitive on Linux).
 */
export async function bundledReadme(extensionUri: vscode.Uri): Promise<vscode.Uri> {
  for (const name of ['README.md', 'readme.md']) {
    const uri = vscode.Uri.joinPath(extensionUri, name);
    try {
      await vscode.workspace.fs.stat(uri);
      return uri;
    } catch {
      /* try the next name */
    }
  }
  throw new InsightError('notFound', vscode.l10n.t('The README is missing from the extension folder ({0}).', extensionUri.fsPath), {
    next: vscode.l10n.t('Reinstall Insight Explorer.'),
  });
}
