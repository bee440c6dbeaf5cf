/**
 * The platform contract (src/core/platform.ts) in VS Code: the one client cache, and the adapter
 * that gives a platform VS Code's prompts, localized counts and the platform's tree.
 */
import * as vscode from 'vscode';
import type { Logger, Redactor } from '../../core/log';
import { type ClientDeps, type Platform, type PlatformItem, type SourceConfig, secretPartsOf } from '../../core/platform';
import type { StepArgs } from '../../core/userInput';
import { counts } from '../counts';
import { httpLimitsFromSettings } from '../httpSettings';
import type { Clients, NewSource, Services, SourceKindAdapter } from '../services';
import { ItemNode } from '../tree/itemNode';
import { ErrorNode, MessageNode, type TreeNode } from '../tree/nodes';
import type { SourceStore } from './sourceStore';

interface Entry {
  key: string;
  client: unknown;
}

/**
 * The one client cache: one client per source while its base URL, the options its client is
 * made from and its secret are the same, so tokens (Echo360's hour-long one, Studio's renewed ones) are reused and two clients never
 * renew the same single-use refresh token. A settings change (HTTP limits, poll interval) drops
 * every client; the next call makes one with the new settings.
 */
export class ClientCache implements Clients, vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly sharedState = new Map<string, unknown>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: { store: SourceStore; log: Logger; redactor: Redactor }) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('insightExplorer')) this.entries.clear();
      }),
    );
  }

  /**
   * The source's client, with its stored secret, or with `secretOverride` (a typed secret under
   * test: never cached, it may be wrong).
   */
  async get<C>(platform: Platform<C>, source: SourceConfig, secretOverride?: string): Promise<C> {
    const { store, log, redactor } = this.deps;
    const secret = secretOverride ?? (await store.getSecret(source.id));
    for (const part of secretPartsOf(platform, secret)) redactor.add(part);
    const options = (platform.clientOptions ?? []).map((k) => source.options[k]);
    const keyOf = (s: string | undefined) => JSON.stringify([source.baseUrl, options, s ?? '']);
    const cached = this.entries.get(source.id);
    if (secretOverride === undefined && cached && cached.key === keyOf(secret)) return cached.client as C;
    const entry: Entry = { key: keyOf(secret), client: undefined };
    const stored = store.get(source.id) !== undefined;
    const clientDeps: ClientDeps = {
      logger: log,
      redactor,
      limits: httpLimitsFromSettings(),
      setting: (key) => vscode.workspace.getConfiguration('insightExplorer').get(key),
      shared: <T>(key: string, make: () => T): T => {
        if (!this.sharedState.has(key)) this.sharedState.set(key, make());
        return this.sharedState.get(key) as T;
      },
      // A draft (Add Source's test) has nowhere to keep a renewed secret yet.
      saveSecret: stored
        ? async (next) => {
            for (const part of secretPartsOf(platform, next)) redactor.add(part);
            // The cached client already holds the renewed tokens: it matches the new secret.
            entry.key = keyOf(next);
            await store.setSecret(source.id, next);
          }
        : undefined,
    };
    entry.client = platform.client(source, secret, clientDeps);
    if (secretOverride === undefined) this.entries.set(source.id, entry);
    return entry.client as C;
  }

  forget(sourceId: string): void {
    this.entries.delete(sourceId);
  }

  dispose(): void {
    this.entries.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** What a platform's tree model gives the adapter. */
export interface PlatformTree {
  children(sourceNode: TreeNode, source: SourceConfig): TreeNode[] | Promise<TreeNode[]>;
  forget?(sourceId: string): void;
}

/**
 * A platform (src/core/sources/<kind>/platform.ts) in VS Code: its prompts through quick picks and
 * input boxes, its client from the one client cache, its describe/test sentences with VS Code's
 * localized counts, and its tree. Every secret typed or read is added to the redactor, each part
 * of a JSON bundle on its own. A platform's VS Code folder extends this only with what is its own
 * (PostHog's running fetches, Echo360's report runs, Canvas's option writes).
 */
export class PlatformAdapter<C> implements SourceKindAdapter {
  readonly kind: SourceConfig['kind'];
  readonly label: string;
  readonly detail: string;
  readonly icon: string;
  protected tree: PlatformTree;
  constructor(
    protected readonly services: Services,
    readonly platform: Platform<C>,
    tree?: PlatformTree,
  ) {
    this.tree = tree ?? this.itemTree();
    this.kind = platform.kind;
    this.label = platform.label;
    this.detail = platform.detail;
    this.icon = platform.icon;
  }

  /** The source's client (cached), or one for a typed secret under test (not cached). */
  client(source: SourceConfig, secret?: string): Promise<C> {
    return this.services.clients.get(this.platform, source, secret);
  }

  describe(source: SourceConfig): string {
    return this.platform.describe(source, counts);
  }

  async children(sourceNode: TreeNode, source: SourceConfig): Promise<TreeNode[]> {
    return this.tree.children(sourceNode, source);
  }

  forget(sourceId: string): void {
    this.services.clients.forget(sourceId);
    this.itemCache.delete(sourceId);
    this.tree.forget?.(sourceId);
  }

  async add(title: string, firstStep: number): Promise<NewSource | undefined> {
    const added = await this.platform.add(this.services.input, title, firstStep);
    if (added) this.redact(added.secret);
    return added;
  }

  edit(source: SourceConfig): Promise<Partial<SourceConfig> | undefined> {
    return this.platform.edit(this.services.input, source);
  }

  async promptSecret(source: Pick<SourceConfig, 'label'>, step?: StepArgs): Promise<string | undefined> {
    const secret = await this.platform.promptSecret(this.services.input, source, step);
    this.redact(secret);
    return secret;
  }

  async testConnection(source: SourceConfig, secret: string, signal?: AbortSignal): Promise<string> {
    return this.platform.testConnection(await this.client(source, secret), source, counts, signal);
  }

  /** Children of items marked `cacheChildren`, per source, until forget (a refresh, an edit). */
  private readonly itemCache = new Map<string, Map<string, PlatformItem[]>>();

  /**
   * The tree of a platform that lists plain items (`platform.children`): one ItemNode each, their
   * children asked with the source as stored now; a failure shows in their place.
   */
  private itemTree(): PlatformTree {
    if (!this.platform.children) return { children: () => [] };
    return { children: (node, source) => this.itemNodes(node, source, undefined) };
  }

  private async itemNodes(parent: TreeNode, source: SourceConfig, item: PlatformItem | undefined): Promise<TreeNode[]> {
    const items = await this.itemsUnder(parent, source, item);
    return items.map((i) => new ItemNode(parent, source, i, (node) => this.itemChildren(node)));
  }

  private async itemsUnder(parent: TreeNode, source: SourceConfig, item: PlatformItem | undefined): Promise<PlatformItem[]> {
    const list = () => this.platform.children!(source, item, () => this.client(source), counts);
    if (!item?.cacheChildren) return list();
    let cache = this.itemCache.get(source.id);
    if (!cache) this.itemCache.set(source.id, (cache = new Map()));
    const known = cache.get(parent.id);
    if (known) return known;
    const items = await list();
    cache.set(parent.id, items);
    return items;
  }

  private async itemChildren(node: ItemNode): Promise<TreeNode[]> {
    const source = this.services.store.get(node.source.id) ?? node.source;
    try {
      const kids = await this.itemNodes(node, source, node.item);
      return kids.length === 0 && node.item.empty ? [new MessageNode(`${node.id}/empty`, node, node.item.empty)] : kids;
    } catch (e) {
      this.services.log.error(`Loading ${node.item.label} of ${source.label}: ${e instanceof Error ? e.message : String(e)}`);
      return [new ErrorNode(node, e, source.id)];
    }
  }

  private redact(secret: string | undefined): void {
    for (const part of secretPartsOf(this.platform, secret)) this.services.redactor.add(part);
  }
}
