import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/atomicFile';
import { resultFilePath, resultSegment } from '../../core/resultPath';

export const RESULT_SCHEME = 'insight-explorer';

/**
 * Downloaded results live on disk (the extension's global storage), so they survive reloads and
 * errors, and a document re-opened after a restart still has its text. Documents are read-only
 * virtual documents on our own scheme: `insight-explorer:/<sourceId>/<key>/<Title>.csv`; the
 * title is for the tab, the file is found from source id + key + extension.
 */
export class ResultStore implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly root: string) {}

  fileFor(sourceId: string, key: string, ext: string): string {
    return resultFilePath(this.root, sourceId, key, ext);
  }

  uriFor(sourceId: string, key: string, title: string, ext: string): vscode.Uri {
    return vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${resultSegment(sourceId)}/${resultSegment(key)}/${safeTitle(title)}.${ext}` });
  }

  /**
   * Writes via a random, exclusively created temp file and rename, so a crash never leaves half a
   * result behind; a new result is 0600 (core/atomicFile.ts), a write error rejects in words.
   */
  async save(sourceId: string, key: string, ext: string, text: string | Uint8Array): Promise<string> {
    const file = this.fileFor(sourceId, key, ext);
    await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, [text]);
    return file;
  }

  /** Re-renders open documents of this result after it was fetched again. */
  changed(uri: vscode.Uri): void {
    this.emitter.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const parts = uri.path.split('/').filter(Boolean);
    if (parts.length < 3) return 'Unknown Insight Explorer document.';
    const [sourceId, key] = parts;
    const ext = path.extname(parts[parts.length - 1]).slice(1);
    let file: string;
    try {
      file = this.fileFor(sourceId, key, ext);
    } catch {
      return 'Unknown Insight Explorer document.';
    }
    try {
      // VS Code strips a BOM on first open but not on a content update: strip it ourselves (the file keeps it).
      return (await fs.promises.readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    } catch {
      return 'This result is no longer stored. Open the item again from the Insight Explorer view.';
    }
  }

  async removeSource(sourceId: string): Promise<void> {
    await fs.promises.rm(path.join(this.root, resultSegment(sourceId)), { recursive: true, force: true });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

function safeTitle(s: string): string {
  const t = s.replace(/[\\/:*?"<>|\u0000-\u001f]/g, ' ').replace(/\s+/g, ' ').trim();
  return (t || 'Untitled').slice(0, 120);
}
