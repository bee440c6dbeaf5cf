/**
 * Local delimited files (.csv .tsv .psv, each optionally .gz) in the preview: the
 * `insightExplorer.openFilePreview` command (explorer context menu, palette, and Echo360's merged
 * results) and a read-only custom editor that "Open With…" offers for the same files.
 *
 * The file is streamed (read stream → gunzip on a worker thread when .gz → TableBuilder), never
 * read into one string or a TextDocument, which is why files far beyond VS Code's 50 MB editor
 * limit open: the first rows show while the rest is still being parsed.
 */
import * as fs from 'node:fs';
import { counts } from '../counts';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { IngestLimits } from '../../core/ingestLimits';
import { delimiterForPath, gunzipForIngest, type ByteSource } from '../../core/table';
import { ingestLimits } from '../limitsSetting';
import { EngineDataSource } from '../../core/preview/engineDataSource';
import type { PreviewPanelManager } from '../preview/previewPanelManager';

export const FILE_PREVIEW_COMMAND = 'insightExplorer.openFilePreview';
export const FILE_EDITOR_VIEW_TYPE = 'insightExplorer.filePreview';

const READ_CHUNK = 1 << 20;

/** The key of a file's preview panel, so opening the same file again reveals its panel. */
export function filePreviewKey(uri: vscode.Uri): string {
  return `file:${uri.toString()}`;
}

function byteSource(uri: vscode.Uri, limits: IngestLimits, label: string): ByteSource {
  const gz = uri.path.toLowerCase().endsWith('.gz');
  // .gz: inflated on a worker thread while the extension host parses; a gzip bomb stops at the
  // decompressed-size and ratio caps (core/ingestLimits.ts).
  if (uri.scheme === 'file') return gz ? gunzipForIngest({ path: uri.fsPath }, { limits, label }) : fs.createReadStream(uri.fsPath, { highWaterMark: READ_CHUNK });
  // Remote and virtual file systems have no streams in the API: read once, then parse as usual.
  return (async function* () {
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (gz) yield* gunzipForIngest({ bytes }, { limits, label });
    else yield bytes;
  })();
}

/** Starts streaming the file into a data source; failures are logged and shown, rows read so far stay. */
export function loadFile(uri: vscode.Uri, log: vscode.LogOutputChannel): { data: EngineDataSource; title: string; subtitle: string } {
  const name = path.basename(uri.path);
  const started = Date.now();
  const limits = ingestLimits();
  const { data, done } = EngineDataSource.stream(byteSource(uri, limits, name), { delimiter: delimiterForPath(uri.path), charts: true, limits, label: name });
  done.then(
    (t) => log.info(`Preview: read ${counts.rows(t.rowCount)} from ${name} in ${Date.now() - started} ms`),
    (e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      log.error(`Preview: reading ${name} failed after ${counts.rows(data.totalRows)}: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Insight Explorer: reading {0} stopped after {1}: {2}', name, counts.rows(data.totalRows), message));
    },
  );
  const where = uri.scheme === 'file' ? path.dirname(uri.fsPath) : uri.with({ path: path.posix.dirname(uri.path) }).toString();
  return { data, title: name, subtitle: vscode.l10n.t('Local file · {0}', where) };
}

class FileDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    /* the data lives with the panel's session */
  }
}

/** "Open With… → Insight Preview": the same preview, in the editor VS Code opens for the file. */
class FilePreviewEditor implements vscode.CustomReadonlyEditorProvider<FileDocument> {
  constructor(
    private readonly previews: PreviewPanelManager,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  openCustomDocument(uri: vscode.Uri): FileDocument {
    return new FileDocument(uri);
  }

  resolveCustomEditor(document: FileDocument, panel: vscode.WebviewPanel): void {
    const { data, title, subtitle } = loadFile(document.uri, this.log);
    // Its own key: the custom editor and a command-opened panel of the same file may coexist.
    const source = { panel: this.previews.records.issue({ kind: 'file', uri: document.uri.toString() }) };
    this.previews.adopt(`editor:${document.uri.toString()}`, panel, { title, subtitle, data, source });
  }
}

export function registerLocalFiles(
  context: vscode.ExtensionContext,
  previews: PreviewPanelManager,
  log: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(FILE_PREVIEW_COMMAND, async (arg?: vscode.Uri, all?: vscode.Uri[]) => {
      let uris = all && all.length > 0 ? all : arg instanceof vscode.Uri ? [arg] : [];
      if (uris.length === 0) {
        const active = vscode.window.activeTextEditor?.document.uri;
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: true,
          defaultUri: active,
          filters: { [vscode.l10n.t('Delimited text')]: ['csv', 'tsv', 'psv', 'gz'] },
          openLabel: vscode.l10n.t('Open in Insight Preview'),
        });
        uris = picked ?? [];
      }
      for (const uri of uris) await openFile(previews, uri, log);
    }),
    vscode.window.registerCustomEditorProvider(FILE_EDITOR_VIEW_TYPE, new FilePreviewEditor(previews, log), {
      supportsMultipleEditorsPerDocument: true,
    }),
  );
}

/**
 * A local file's panel brought back after a reload (src/vscode/preview/restore.ts found the host's
 * record of it): re-reads the file; the webview then restores its own sort, filters, search and
 * scroll. Resolves to the file, or undefined when it is gone (the caller closes the panel).
 */
export async function restoreFilePanel(
  previews: PreviewPanelManager,
  panel: vscode.WebviewPanel,
  uri: vscode.Uri,
  id: string,
  log: vscode.LogOutputChannel,
): Promise<vscode.Uri | undefined> {
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    log.warn(`Preview: not restoring ${uri.toString()}: the file is gone`);
    return undefined;
  }
  const { data, title, subtitle } = loadFile(uri, log);
  panel.title = title;
  previews.adopt(filePreviewKey(uri), panel, { title, subtitle, data, source: { panel: id } });
  return uri;
}

export async function openFile(previews: PreviewPanelManager, uri: vscode.Uri, log: vscode.LogOutputChannel): Promise<void> {
  const { data, title, subtitle } = loadFile(uri, log);
  const source = { panel: previews.records.issue({ kind: 'file', uri: uri.toString() }) };
  await previews.show(filePreviewKey(uri), { title, subtitle, data, source });
}
