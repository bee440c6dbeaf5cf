import * as vscode from 'vscode';
import { isCancelled } from '../../core/errors';
import type { Logger } from '../../core/log';

/**
 * Fetches whose newest request wins: opening the same item again aborts the previous fetch (its
 * answer would be replaced anyway). Each runs under a cancellable progress notification; a fetch
 * cancelled by the user, or replaced by a newer one, resolves to undefined and is logged, never
 * shown as an error.
 */
export class LatestFetches {
  private readonly inflight = new Map<string, AbortController>();

  constructor(private readonly log: Logger) {}

  async run<T>(
    key: string,
    title: string,
    work: (signal: AbortSignal, progress: vscode.Progress<{ message?: string }>) => Promise<T>,
  ): Promise<T | undefined> {
    this.inflight.get(key)?.abort();
    const controller = new AbortController();
    this.inflight.set(key, controller);
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return work(controller.signal, progress);
        },
      );
    } catch (e) {
      if (isCancelled(e) || controller.signal.aborted) {
        this.log.info(`${title}: cancelled.`);
        return undefined;
      }
      throw e;
    } finally {
      if (this.inflight.get(key) === controller) this.inflight.delete(key);
    }
  }
}
