// What the result-documents test leaves for its phase 2 (after the window reload).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export interface DocumentsHandover {
  sourceId: string;
  uri: string;
  text: string;
}

function handoverPath(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('the integration workspace has no folder');
  return path.join(folder, '.result-documents-handover.json');
}

export function writeDocumentsHandover(h: DocumentsHandover): void {
  fs.writeFileSync(handoverPath(), JSON.stringify(h, null, 2));
}

export function readDocumentsHandover(): DocumentsHandover | undefined {
  try {
    return JSON.parse(fs.readFileSync(handoverPath(), 'utf8')) as DocumentsHandover;
  } catch {
    return undefined;
  }
}

export function removeDocumentsHandover(): void {
  fs.rmSync(handoverPath(), { force: true });
}
