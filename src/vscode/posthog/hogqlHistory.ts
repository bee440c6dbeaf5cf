import type * as vscode from 'vscode';

/** One run of a HogQL query, as Query History lists it. */
export interface HogQLHistoryEntry {
  id: string;
  sql: string;
  /** ISO time the run started. */
  at: string;
  status: 'ok' | 'cancelled' | 'failed';
  rows?: number;
  durationMs: number;
  /** PostHog may have cut the result. */
  capped?: boolean;
  /** Why it failed (one line, redacted). */
  message?: string;
  /** The result store's key of its rows (Open Result). */
  resultKey?: string;
}

const KEY = 'insightExplorer.hogqlHistory';
/** Runs kept per source, newest first. */
export const HISTORY_LIMIT = 50;

type Stored = Record<string, HogQLHistoryEntry[]>;

/** The runs of a source, newest first (kept in global state: they survive restarts). */
export function readHistory(state: vscode.Memento, sourceId: string): HogQLHistoryEntry[] {
  const all = state.get<Stored>(KEY) ?? {};
  const list = all[sourceId];
  return Array.isArray(list) ? list.filter((e) => e && typeof e.sql === 'string' && typeof e.at === 'string') : [];
}

export async function recordHistory(state: vscode.Memento, sourceId: string, entry: HogQLHistoryEntry): Promise<void> {
  const all = { ...(state.get<Stored>(KEY) ?? {}) };
  all[sourceId] = [entry, ...readHistory(state, sourceId)].slice(0, HISTORY_LIMIT);
  await state.update(KEY, all);
}

/** Drops a removed source's runs. */
export async function forgetHistory(state: vscode.Memento, sourceId: string): Promise<void> {
  const all = { ...(state.get<Stored>(KEY) ?? {}) };
  if (!(sourceId in all)) return;
  delete all[sourceId];
  await state.update(KEY, all);
}
