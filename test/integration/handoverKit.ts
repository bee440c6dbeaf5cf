// What a phase-1 test leaves for its phase 2 (after the window reload): a JSON file in the
// integration workspace, which survives the reload.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export interface Handover<T> {
  write(value: T): void;
  read(): T | undefined;
  remove(): void;
}

export function handover<T>(name: string): Handover<T> {
  const file = () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!folder) throw new Error('the integration workspace has no folder');
    return path.join(folder, `.${name}-handover.json`);
  };
  return {
    write: (value) => fs.writeFileSync(file(), JSON.stringify(value, null, 2)),
    read: () => {
      try {
        return JSON.parse(fs.readFileSync(file(), 'utf8')) as T;
      } catch {
        return undefined;
      }
    },
    remove: () => fs.rmSync(file(), { force: true }),
  };
}
