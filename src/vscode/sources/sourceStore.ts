import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';

import type { SourceConfig, SourceKind } from '../../core/platform';

export type { SourceConfig, SourceKind };

const KEY = 'insightExplorer.sources';
const secretKey = (id: string) => `insightExplorer.source.${id}.secret`;

/**
 * Sources in globalState (they survive restarts and are not synced as settings, so a base URL of
 * a private instance does not leak into settings.json), secrets in SecretStorage keyed per source.
 * Writes are serialized so two quick edits cannot lose one another.
 */
export class SourceStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(
    private readonly state: vscode.Memento,
    private readonly secrets: vscode.SecretStorage,
  ) {
    this.disposables.push(
      secrets.onDidChange((e) => {
        if (e.key.startsWith('insightExplorer.source.')) this.emitter.fire();
      }),
    );
  }

  list(): SourceConfig[] {
    return (this.state.get<SourceConfig[]>(KEY) ?? []).map((s) => ({ ...s, options: { ...s.options } }));
  }

  get(id: string): SourceConfig | undefined {
    return this.list().find((s) => s.id === id);
  }

  async add(input: Omit<SourceConfig, 'id' | 'createdAt'>, secret?: string): Promise<SourceConfig> {
    const source: SourceConfig = { ...input, id: randomUUID().slice(0, 8), createdAt: new Date().toISOString() };
    await this.serial(async () => {
      // Secret first: a source without its key is recoverable (Set Credentials), the reverse leaks.
      if (secret !== undefined) await this.secrets.store(secretKey(source.id), secret);
      await this.state.update(KEY, [...this.list(), source]);
    });
    this.emitter.fire();
    return source;
  }

  async update(id: string, patch: Partial<Omit<SourceConfig, 'id' | 'kind' | 'createdAt'>>): Promise<SourceConfig> {
    let updated: SourceConfig | undefined;
    await this.serial(async () => {
      const all = this.list();
      const i = all.findIndex((s) => s.id === id);
      if (i === -1) throw new Error(vscode.l10n.t('That source no longer exists. Refresh the Insight Explorer view.'));
      updated = { ...all[i], ...patch, options: { ...all[i].options, ...(patch.options ?? {}) } };
      all[i] = updated;
      await this.state.update(KEY, all);
    });
    this.emitter.fire();
    return updated!;
  }

  async remove(id: string): Promise<void> {
    await this.serial(async () => {
      await this.state.update(
        KEY,
        this.list().filter((s) => s.id !== id),
      );
      await this.secrets.delete(secretKey(id));
    });
    this.emitter.fire();
  }

  getSecret(id: string): Thenable<string | undefined> {
    return this.secrets.get(secretKey(id));
  }

  async setSecret(id: string, secret: string): Promise<void> {
    await this.serial(() => this.secrets.store(secretKey(id), secret));
    this.emitter.fire();
  }

  private serial<T>(fn: () => Thenable<T> | Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
