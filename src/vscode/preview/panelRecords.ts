/**
 * The host's record of what each preview panel shows, so that a panel restored after a window
 * reload is rebuilt from what the host opened, never from what the webview says.
 *
 * A webview's saved state is the webview's to write: a script running in it (or a state carried
 * over from an older version) could name any file on disk. So the state holds only an opaque,
 * random panel id that the host issued; the host keeps id → what it showed in workspace state,
 * and the serializer opens only what it finds there. An unknown id restores nothing.
 */
import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';

/** What a restored panel is rebuilt from: a local file, or a result in the result store (source id + key). */
export type PanelRecord = { kind: 'file'; uri: string } | { kind: 'result'; sourceId: string; key: string };

const STATE_KEY = 'insightExplorer.previewPanels';
/** Oldest records are dropped past this many (a panel's record is kept until then: VS Code does not say which panels a reload will bring back). */
const MAX_RECORDS = 200;

interface Stored {
  id: string;
  record: PanelRecord;
}

export class PanelRecords {
  constructor(private readonly memento: vscode.Memento) {}

  /** Records what a panel shows; the id goes into the webview state. */
  issue(record: PanelRecord): string {
    const id = randomUUID();
    const list = this.all().filter((s) => !sameRecord(s.record, record));
    list.push({ id, record });
    void this.memento.update(STATE_KEY, list.slice(-MAX_RECORDS));
    return id;
  }

  /** The record behind an id the webview state carries; undefined for an id the host never issued. */
  resolve(id: unknown): PanelRecord | undefined {
    if (typeof id !== 'string') return undefined;
    return this.all().find((s) => s.id === id)?.record;
  }

  private all(): Stored[] {
    const raw = this.memento.get<unknown>(STATE_KEY);
    if (!Array.isArray(raw)) return [];
    return raw.filter((s): s is Stored => !!s && typeof s === 'object' && typeof (s as Stored).id === 'string' && isRecord((s as Stored).record));
  }
}

function isRecord(r: unknown): r is PanelRecord {
  if (!r || typeof r !== 'object') return false;
  const v = r as Record<string, unknown>;
  if (v.kind === 'file') return typeof v.uri === 'string';
  if (v.kind === 'result') return typeof v.sourceId === 'string' && typeof v.key === 'string';
  return false;
}

function sameRecord(a: PanelRecord, b: PanelRecord): boolean {
  if (a.kind === 'file' && b.kind === 'file') return a.uri === b.uri;
  if (a.kind === 'result' && b.kind === 'result') return a.sourceId === b.sourceId && a.key === b.key;
  return false;
}
