import * as vscode from 'vscode';
import { Logger, Redactor } from '../core/log';
import { SourceConfig, SourceKind, SourceStore } from './sources/sourceStore';
import { TreeNode } from './tree/nodes';

/** What every command and tree node needs, created once in activate(). */
export interface Services {
  context: vscode.ExtensionContext;
  store: SourceStore;
  log: Logger;
  channel: vscode.LogOutputChannel;
  redactor: Redactor;
  refreshTree(node?: TreeNode): void;
  kinds: Map<SourceKind, SourceKindAdapter>;
}

export interface NewSource {
  input: Omit<SourceConfig, 'id' | 'createdAt'>;
  secret: string;
}

/** One per platform: how its sources are added, tested, shown and edited. */
export interface SourceKindAdapter {
  kind: SourceKind;
  label: string;
  detail: string;
  icon: string;
  /** Tree description of a source, e.g. "us.posthog.com · project 12345". */
  describe(source: SourceConfig): string;
  children(sourceNode: TreeNode, source: SourceConfig): Promise<TreeNode[]>;
  /** The Add Source steps after the kind was picked; undefined when cancelled. */
  add(title: string, firstStep: number): Promise<NewSource | undefined>;
  /** Fields shown by Edit Source; returns the patch, or undefined when cancelled. */
  edit(source: SourceConfig): Promise<Partial<SourceConfig> | undefined>;
  /** Asks for the secret (password input); undefined when cancelled. */
  promptSecret(source: Pick<SourceConfig, 'label'>, step?: { title: string; step: number; totalSteps: number; back: boolean }): Promise<string | undefined>;
  /** A cheap authenticated call; resolves to a sentence for the notification. */
  testConnection(source: SourceConfig, secret: string, signal?: AbortSignal): Promise<string>;
  /** Drops cached data for a source (after edit, credentials change, refresh). */
  forget(sourceId: string): void;
}

export function secretMissing(label: string): Error {
  return Object.assign(new Error(`No credentials stored for "${label}". Use Set Credentials…`), { kind: 'auth' });
}
