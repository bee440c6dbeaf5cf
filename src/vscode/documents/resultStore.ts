import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/atomicFile';
import { resultFilePath, resultSegment } from '../../core/resultPath';

export const RESULT_SCHEME = 'insight-explorer';

/**
 * Downloaded results live on disk (the extension's global storage), so they survive reloads and
 * errors, and a document re-opened after a restart still has its text. Documents are read-only
 * documents on our own scheme: `insight-explorer:/<sourceId>/<key>/<Title>.csv`; the title is for
 * the tab, the file is found from source id + key + extension.
 *
 * The scheme is served by a read-only FileSystemProvider (not a TextDocumentContentProvider):
 * VS Code keeps and restores the editor tabs of resources a file system provider can handle, and
 * activates the extension for them (`onFileSystem:insight-explorer`), so a result's tab comes back
 * after a window reload with its text.
 */
export class ResultStore implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

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
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  /** The document's text: the stored result, or a sentence saying what to do when it is gone. */
  async text(uri: vscode.Uri): Promise<string> {
    const parts = uri.path.split('/').filter(Boolean);
    if (parts.length < 3) return vscode.l10n.t('Unknown Insight Explorer document.');
    const [sourceId, key] = parts;
    const ext = path.extname(parts[parts.length - 1]).slice(1);
    let file: string;
    try {
      file = this.fileFor(sourceId, key, ext);
    } catch {
      return vscode.l10n.t('Unknown Insight Explorer document.');
    }
    try {
      // VS Code strips a BOM on first open but not on a content update: strip it ourselves (the file keeps it).
      return (await fs.promises.readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    } catch {
      return vscode.l10n.t('This result is no longer stored. Open the item again from the Insight Explorer view.');
    }
  }

  // FileSystemProvider, read-only: documents are results, never edited in place (Save As… copies them).

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    if (uri.path.split('/').filter(Boolean).length < 3) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    const size = Buffer.byteLength(await this.text(uri));
    return { type: vscode.FileType.File, ctime: 0, mtime: Date.now(), size, permissions: vscode.FilePermission.Readonly };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return Buffer.from(await this.text(uri), 'utf8');
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
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
