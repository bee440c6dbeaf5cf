import * as vscode from 'vscode';

/** One insight being fetched (and possibly calculated by PostHog) right now. */
export interface RunningFetch {
  sourceId: string;
  /** The id the fetch was started with: numeric id or short id. */
  requestedId: string;
  /** The client query id sent with the request, which PostHog's cancel endpoint takes. */
  clientQueryId: string;
  startedAt: number;
  /** Aborts our request and asks PostHog to stop calculating. */
  cancel(): void;
}

/**
 * The fetches in flight, so a calculation can be cancelled from the tree ("Cancel Query" on the
 * insight) as well as from the progress notification, and the tree can mark running insights.
 */
export class RunningFetches implements vscode.Disposable {
  private readonly byKey = new Map<string, RunningFetch>();
  private readonly emitter = new vscode.EventEmitter<RunningFetch>();
  /** Fires when a fetch starts or ends. */
  readonly onDidChange = this.emitter.event;

  private static key(sourceId: string, requestedId: string): string {
    return `${sourceId}/${requestedId}`;
  }

  start(entry: RunningFetch): void {
    this.byKey.set(RunningFetches.key(entry.sourceId, entry.requestedId), entry);
    this.emitter.fire(entry);
  }

  /** Removes the entry unless a newer fetch of the same insight replaced it meanwhile. */
  finish(entry: RunningFetch): void {
    const key = RunningFetches.key(entry.sourceId, entry.requestedId);
    if (this.byKey.get(key) !== entry) return;
    this.byKey.delete(key);
    this.emitter.fire(entry);
  }

  /** The fetch of this insight, whether it was started by numeric id or by short id. */
  find(sourceId: string, insight: { id: number; short_id?: string | null }): RunningFetch | undefined {
    return (
      this.byKey.get(RunningFetches.key(sourceId, String(insight.id))) ??
      (insight.short_id ? this.byKey.get(RunningFetches.key(sourceId, insight.short_id)) : undefined)
    );
  }

  list(): RunningFetch[] {
    return [...this.byKey.values()];
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
