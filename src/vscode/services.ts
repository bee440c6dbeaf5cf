import * as vscode from 'vscode';
import { Logger, Redactor } from '../core/log';
import { SourceConfig, SourceKind, SourceStore } from './sources/sourceStore';
import { TreeNode } from './tree/nodes';
import type { NewSource, Platform } from '../core/platform';
import type { StepArgs, UserInput } from '../core/userInput';

export type { NewSource };

/** What every command and tree node needs, created once in activate(). */
export interface Services {
  context: vscode.ExtensionContext;
  store: SourceStore;
  log: Logger;
  channel: vscode.LogOutputChannel;
  redactor: Redactor;
  refreshTree(node?: TreeNode): void;
  kinds: Map<SourceKind, SourceKindAdapter>;
  /**
   * Where prompts go: quick picks and input boxes (src/vscode/prompts.ts `vscodeInput`); tests put
   * a scripted input here (the extension's test API).
   */
  input: UserInput;
  /** Every platform client, one per source (ClientCache, src/vscode/sources/platformAdapter.ts). */
  clients: Clients;
}

/**
 * One per platform: the platform's contract (src/core/platform.ts) in VS Code — its prompts through
 * quick picks, its client from the one cache, its tree from the platform's model.
 */
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
  promptSecret(source: Pick<SourceConfig, 'label'>, step?: StepArgs): Promise<string | undefined>;
  /** A cheap authenticated call; resolves to a sentence for the notification. */
  testConnection(source: SourceConfig, secret: string, signal?: AbortSignal): Promise<string>;
  /** Drops cached data for a source (after edit, credentials change, refresh). */
  forget(sourceId: string): void;
}

/** The one client cache's face: the source's client (a typed secret's is never cached), and forgetting it. */
export interface Clients {
  get<C>(platform: Platform<C>, source: SourceConfig, secretOverride?: string): Promise<C>;
  forget(sourceId: string): void;
}
