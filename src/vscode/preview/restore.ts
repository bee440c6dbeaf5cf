/**
 * After a window reload VS Code hands back the preview panels that were open. The webview state
 * names only the id of the host's record (PanelRecords); the record says what the panel showed —
 * a local file, or a stored result — and only that is reopened. A state the host has no record of
 * (an unknown id, or a file path written by the webview itself) restores nothing: the panel closes
 * instead of showing an empty page.
 */
import * as vscode from 'vscode';
import type { PanelRecord } from './panelRecords';
import { PREVIEW_VIEW_TYPE, type PreviewPanelManager } from './previewPanelManager';

/** Reopens what one kind of record names in `panel`; resolves to what was reopened, undefined when it is gone. */
export type PanelRestorers = {
  [K in PanelRecord['kind']]: (panel: vscode.WebviewPanel, record: Extract<PanelRecord, { kind: K }>, id: string) => Promise<vscode.Uri | undefined>;
};

export async function restorePreviewPanel(
  previews: PreviewPanelManager,
  restorers: PanelRestorers,
  panel: vscode.WebviewPanel,
  state: unknown,
  log: vscode.LogOutputChannel,
): Promise<vscode.Uri | undefined> {
  // Disposed after VS Code has finished restoring it (disposing inside the serializer call logs
  // "OverlayWebview has been disposed" errors).
  const close = () => setTimeout(() => panel.dispose(), 0);
  const id = (state as { source?: { panel?: unknown } } | undefined)?.source?.panel;
  const record = previews.records.resolve(id);
  if (!record || typeof id !== 'string') {
    if (id !== undefined || (state as { source?: unknown } | undefined)?.source !== undefined) {
      log.warn('Preview: not restoring a panel whose saved state names nothing this window opened');
    }
    close();
    return undefined;
  }
  let reopened: vscode.Uri | undefined;
  try {
    reopened = record.kind === 'file' ? await restorers.file(panel, record, id) : await restorers.result(panel, record, id);
  } catch (e) {
    log.warn(`Preview: restoring a panel failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!reopened) close();
  return reopened;
}

export function registerPreviewRestore(previews: PreviewPanelManager, restorers: PanelRestorers, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
    deserializeWebviewPanel: async (panel, state: unknown) => {
      await restorePreviewPanel(previews, restorers, panel, state, log);
    },
  });
}
