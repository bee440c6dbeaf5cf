/**
 * Opens and tracks preview panels: one per item key, kept in a map, revealed and updated when the
 * same item is opened again. The conversation with each webview lives in `PreviewSession`; this
 * file is only the VS Code glue (panel, HTML, clipboard, events).
 *
 * The first `insightExplorer.preview.keepAlive` panels open at once (default 3) keep their webview
 * when hidden (`retainContextWhenHidden`): switching back to their tab shows the painted grid at
 * once instead of loading a fresh page (about a second in VS Code). Later panels are not kept:
 * their webview keeps its view state with `setState`, is recreated on show, says `ready` again and
 * is re-initialised by the session. A kept webview costs the memory of its page while hidden.
 */
import * as vscode from 'vscode';
import type { ChartImageFormat, ExportFormat, PreviewReport } from '../../protocol';
import type { PreviewDataSource } from '../../core/preview/dataSource';
import { formulaGuardSetting } from '../formulaGuardSetting';
import { formatForPath, writeExport } from '../../core/preview/exportFile';
import { makeNonce, PAGE_LOAD_FAILED, previewHtml } from '../../core/preview/html';
import { PanelRecords } from './panelRecords';
import { PreviewSession, type PreviewContent } from '../../core/preview/session';

export const PREVIEW_VIEW_TYPE = 'insightExplorer.preview';

interface OpenPanel {
  panel: vscode.WebviewPanel;
  session: PreviewSession;
  content: PreviewContent;
  disposables: vscode.Disposable[];
  /** How many times its webview page started (1 + the reloads after being hidden). */
  pageLoads: number;
  /** Pages loaded again because their script did not load (PAGE_LOAD_FAILED). */
  scriptReloads: number;
}

/** How many panels keep their webview when hidden (the setting, 0–20). */
function keepAliveSetting(): number {
  const n = vscode.workspace.getConfiguration('insightExplorer').get<number>('preview.keepAlive', 3);
  return Number.isFinite(n) ? Math.max(0, Math.min(20, Math.floor(n))) : 3;
}

export class PreviewPanelManager implements vscode.Disposable {
  private readonly panels = new Map<string, OpenPanel>();
  private readonly reports = new Map<string, PreviewReport>();
  private readonly reportEmitter = new vscode.EventEmitter<PreviewReport>();
  /** Fired whenever a webview reports what it drew. */
  readonly onDidReport = this.reportEmitter.event;
  private readonly distUri: vscode.Uri;

  /** What each panel shows, kept by the host for restoring panels after a reload. */
  readonly records: PanelRecords;

  constructor(
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    workspaceState: vscode.Memento,
  ) {
    this.distUri = vscode.Uri.joinPath(extensionUri, 'dist');
    this.records = new PanelRecords(workspaceState);
  }

  async show(key: string, content: PreviewContent, opts: { viewColumn?: vscode.ViewColumn; preserveFocus?: boolean } = {}): Promise<void> {
    const open = this.panels.get(key);
    if (open) {
      open.panel.title = content.title;
      open.panel.reveal(opts.viewColumn, opts.preserveFocus);
      open.content = content;
      await open.session.setContent(content);
      return;
    }
    this.open(key, content, opts);
  }

  lastReport(key: string): PreviewReport | undefined {
    return this.reports.get(key);
  }

  dispose(): void {
    // Panel disposal removes entries from the map through onDidDispose; iterate over a copy.
    for (const { panel } of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
    this.reportEmitter.dispose();
  }

  /** Whether a panel with this key is open. */
  has(key: string): boolean {
    return this.panels.has(key);
  }

  private open(key: string, content: PreviewContent, opts: { viewColumn?: vscode.ViewColumn; preserveFocus?: boolean }): void {
    const panel = vscode.window.createWebviewPanel(
      PREVIEW_VIEW_TYPE,
      content.title,
      { viewColumn: opts.viewColumn ?? vscode.ViewColumn.Beside, preserveFocus: opts.preserveFocus ?? false },
      { enableScripts: true, localResourceRoots: [this.distUri], retainContextWhenHidden: this.keptAlive() < keepAliveSetting() },
    );
    this.adopt(key, panel, content);
  }

  /** How many open panels keep their webview when hidden. */
  private keptAlive(): number {
    return [...this.panels.values()].filter((p) => p.panel.options.retainContextWhenHidden).length;
  }

  /** Whether a panel keeps its webview when hidden, and how many times its page loaded (tests, bench). */
  lifeOf(key: string): { keptAlive: boolean; pageLoads: number; scriptReloads: number } | undefined {
    const p = this.panels.get(key);
    return p && { keptAlive: p.panel.options.retainContextWhenHidden === true, pageLoads: p.pageLoads, scriptReloads: p.scriptReloads };
  }

  /**
   * Runs the preview in a panel VS Code created: a custom editor's, or one restored after a
   * reload by the serializer. Also used for the panels this manager opens itself.
   */
  adopt(key: string, panel: vscode.WebviewPanel, content: PreviewContent): void {
    this.panels.get(key)?.panel.dispose();
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.distUri] };
    const webview = panel.webview;
    const loadPage = () => {
      webview.html = previewHtml({
        cspSource: webview.cspSource,
        nonce: makeNonce(),
        scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.distUri, 'webview.js')).toString(),
        styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(this.distUri, 'uPlot.min.css')).toString()],
        title: content.title,
      });
    };
    loadPage();

    const session = new PreviewSession(
      content,
      (type, payload) => {
        // postMessage resolves false when the webview is gone (panel hidden); the next ready re-inits.
        webview
          .postMessage({ type, payload })
          .then(undefined, (e: unknown) => this.log.debug(`Preview ${key}: post ${String(type)} failed: ${String(e)}`));
      },
      {
        log: this.log,
        onReport: (r) => {
          const report: PreviewReport = { key, ...r };
          this.reports.set(key, report);
          this.reportEmitter.fire(report);
        },
        onCopy: async (text) => {
          await vscode.env.clipboard.writeText(text);
          vscode.window.setStatusBarMessage(vscode.l10n.t('Insight Explorer: copied to the clipboard'), 2500);
        },
        formulaGuard: formulaGuardSetting,
        onExport: (format, data) => this.exportView(content.title, format, data),
        onSaveChart: (format, data, name) => this.saveChart(format, data, name),
      },
    );

    const entry: OpenPanel = { panel, session, content, disposables: [], pageLoads: 0, scriptReloads: 0 };
    entry.disposables.push(
      webview.onDidReceiveMessage((msg: unknown) => {
        const type = (msg as { type?: unknown } | null)?.type;
        if (type === PAGE_LOAD_FAILED) {
          // The page's script did not load (VS Code for the Web's loader; see html.ts): a new
          // page, twice at most, then the error with what to do.
          if (entry.scriptReloads < 2) {
            entry.scriptReloads++;
            this.log.warn(`Preview ${key}: the page's script did not load; loading the page again`);
            loadPage();
          } else {
            void vscode.window.showErrorMessage(
              vscode.l10n.t(
                'Insight Explorer: the preview "{0}" could not load its script. Run "Developer: Reload Webviews", or close the preview and open it again.',
                content.title,
              ),
            );
          }
          return;
        }
        if (type === 'ready') entry.pageLoads++;
        void session.receive(msg);
      }),
      panel.onDidDispose(() => {
        session.dispose();
        for (const d of entry.disposables) d.dispose();
        // A panel replaced under the same key must not remove its successor's entry.
        if (this.panels.get(key) !== entry) return;
        this.panels.delete(key);
        this.reports.delete(key);
      }),
    );
    this.panels.set(key, entry);
    this.log.debug(`Preview ${key}: panel opened`);
  }

  /**
   * Save dialog, then the view streamed to a temp file and renamed, under a cancellable progress
   * notification. The file type chosen in the dialog decides the format (`format` is the default).
   * Resolves to a note for the panel's footer, undefined when the user cancelled the dialog.
   */
  private async exportView(title: string, format: ExportFormat, data: PreviewDataSource): Promise<string | undefined> {
    if (!data.exportView) return undefined;
    const base = title.replace(/[\\/:*?"<>|]+/g, '_').replace(/(\.(csv|tsv|psv|gz))+$/i, '').slice(0, 80) || 'export';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Export the rows of this view'),
      defaultUri: folder ? vscode.Uri.joinPath(folder, `${base}.${format}`) : undefined,
      filters: { CSV: ['csv'], TSV: ['tsv'], JSON: ['json'] },
      saveLabel: vscode.l10n.t('Export'),
    });
    if (!target) return undefined;
    return this.exportTo(data, target);
  }

  /** Save dialog for the chart image; the bytes are written to a temp file and renamed over the target. */
  private async saveChart(format: ChartImageFormat, data: Uint8Array | string, name: string): Promise<string | undefined> {
    const base = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').trim().slice(0, 80) || 'chart';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save the chart as {0}', format.toUpperCase()),
      defaultUri: folder ? vscode.Uri.joinPath(folder, `${base}.${format}`) : undefined,
      filters: format === 'png' ? { [vscode.l10n.t('PNG image')]: ['png'] } : { [vscode.l10n.t('SVG image')]: ['svg'] },
      saveLabel: vscode.l10n.t('Save'),
    });
    if (!target) return undefined;
    await writeExport(
      (async function* () {
        yield data;
      })(),
      target.fsPath,
    );
    this.log.info(`Preview: saved the chart as ${format.toUpperCase()} to ${target.fsPath}`);
    return vscode.l10n.t('Saved the chart to {0}', target.fsPath.split(/[\\/]/).pop() ?? '');
  }

  /**
   * Exports the current view of the panel `key` (or of `data`) to `target` with no dialog; the
   * format follows the file's extension. Used by the toolbar after its dialog, and by tests.
   */
  async exportTo(keyOrData: string | PreviewDataSource, target: vscode.Uri): Promise<string> {
    const data = typeof keyOrData === 'string' ? this.panels.get(keyOrData)?.content.data : keyOrData;
    if (!data?.exportView) throw new Error(vscode.l10n.t('This preview cannot export its rows.'));
    const chosen = formatForPath(target.fsPath);
    const formulaGuard = formulaGuardSetting();
    const exportData = data.exportView.bind(data);
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Exporting to {0}', target.fsPath.split(/[\\/]/).pop() ?? ''),
        cancellable: true,
      },
      async (progress, token) => {
        const ctl = new AbortController();
        const sub = token.onCancellationRequested(() => ctl.abort());
        try {
          let last = 0;
          await writeExport(exportData(chosen, { formulaGuard }), target.fsPath, {
            signal: ctl.signal,
            onProgress: (chars) => {
              // A message every ~4 MB is plenty, and keeps the notification from flickering.
              if (chars - last < 4 << 20) return;
              last = chars;
              progress.report({ message: vscode.l10n.t('{0} MB written', (chars / (1 << 20)).toFixed(0)) });
            },
          });
        } finally {
          sub.dispose();
        }
      },
    );
    this.log.info(`Preview: exported ${chosen.toUpperCase()} to ${target.fsPath}`);
    return vscode.l10n.t('Exported to {0}', target.fsPath.split(/[\\/]/).pop() ?? '');
  }
}
