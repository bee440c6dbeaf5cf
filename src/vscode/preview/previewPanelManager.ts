/**
 * Opens and tracks preview panels: one per item key, kept in a map, revealed and updated when the
 * same item is opened again. The conversation with each webview lives in `PreviewSession`; this
 * file is only the VS Code glue (panel, HTML, clipboard, events).
 *
 * No `retainContextWhenHidden`: the webview keeps its view state with `setState`, and a hidden
 * panel's webview is recreated on show, says `ready` again and is re-initialised by the session.
 */
import * as vscode from 'vscode';
import type { PreviewReport } from '../../protocol';
import { makeNonce, previewHtml } from './html';
import { PreviewSession, type PreviewContent } from './session';

export const PREVIEW_VIEW_TYPE = 'insightExplorer.preview';

interface OpenPanel {
  panel: vscode.WebviewPanel;
  session: PreviewSession;
  disposables: vscode.Disposable[];
}

export class PreviewPanelManager implements vscode.Disposable {
  private readonly panels = new Map<string, OpenPanel>();
  private readonly reports = new Map<string, PreviewReport>();
  private readonly reportEmitter = new vscode.EventEmitter<PreviewReport>();
  /** Fired whenever a webview reports what it drew. */
  readonly onDidReport = this.reportEmitter.event;
  private readonly distUri: vscode.Uri;

  constructor(
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.distUri = vscode.Uri.joinPath(extensionUri, 'dist');
  }

  async show(key: string, content: PreviewContent, opts: { viewColumn?: vscode.ViewColumn; preserveFocus?: boolean } = {}): Promise<void> {
    const open = this.panels.get(key);
    if (open) {
      open.panel.title = content.title;
      open.panel.reveal(opts.viewColumn, opts.preserveFocus);
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

  private open(key: string, content: PreviewContent, opts: { viewColumn?: vscode.ViewColumn; preserveFocus?: boolean }): void {
    const panel = vscode.window.createWebviewPanel(
      PREVIEW_VIEW_TYPE,
      content.title,
      { viewColumn: opts.viewColumn ?? vscode.ViewColumn.Beside, preserveFocus: opts.preserveFocus ?? false },
      { enableScripts: true, localResourceRoots: [this.distUri] },
    );
    const webview = panel.webview;
    const nonce = makeNonce();
    webview.html = previewHtml({
      cspSource: webview.cspSource,
      nonce,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.distUri, 'webview.js')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(this.distUri, 'uPlot.min.css')).toString()],
      title: content.title,
    });

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
          vscode.window.setStatusBarMessage('Insight Explorer: copied to the clipboard', 2500);
        },
      },
    );

    const entry: OpenPanel = { panel, session, disposables: [] };
    entry.disposables.push(
      webview.onDidReceiveMessage((msg: unknown) => void session.receive(msg)),
      panel.onDidDispose(() => {
        session.dispose();
        for (const d of entry.disposables) d.dispose();
        this.panels.delete(key);
        this.reports.delete(key);
      }),
    );
    this.panels.set(key, entry);
    this.log.debug(`Preview ${key}: panel opened`);
  }
}
