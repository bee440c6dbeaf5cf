/**
 * An insight's query as an editable JSON document (PostHog's UI hides it): a FileSystemProvider
 * on `posthog-query:/<sourceId>/<insightId>/<name>.query.json`, so Save writes it back with
 * `PATCH query`. Also New Insight from the current JSON document, and Duplicate Insight.
 *
 * A save that PostHog (or the JSON parser) refuses throws from writeFile: VS Code then keeps the
 * document dirty, so the user's text is never lost, and the reason is shown where it is, as a
 * diagnostic (PostHog's `attr`, or the location its detail starts with), not only in a toast.
 */
import * as vscode from 'vscode';
import { InsightError, oneLine } from '../../core/errors';
import { PostHogValidationError } from '../../core/sources/posthog/client';
import { parseJsonTree, positionAt, problemPath, problemSpan } from '../../core/sources/posthog/jsonLocate';
import { PostHogInsight } from '../../core/sources/posthog/types';
import { pickSource } from '../commands/sourceCommands';
import { registerCommand } from '../commands/register';
import { inputText } from '../prompts';
import { Services } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { displayName, insightTarget } from './insightTarget';
import { parseTags } from './organize';
import { PostHogAdapter } from './posthogTree';
import { safeText } from '../../core/text';

export const QUERY_SCHEME = 'posthog-query';

interface QueryFile {
  text: string;
  ctime: number;
  mtime: number;
  /** When it was last read from PostHog (a document open asks stat() then readFile()). */
  fetchedAt: number;
}

/** A readFile() this soon after the stat() that loaded the text reuses it instead of asking again. */
const FRESH_MS = 2000;

/**
 * Why a query was not saved or created. Its name is what VS Code prints before the message in
 * "Failed to save '…': Unable to write file '…' (Not saved: PostHog refused the query: …)".
 */
export class QueryNotSaved extends Error {
  override name = vscode.l10n.t('Not saved');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fileName(i: PostHogInsight): string {
  const t = displayName(i)
    .replace(/[\\/:*?"<>|\u0000-\u001f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
  return `${t || `insight-${i.id}`}.query.json`;
}

function queryText(query: unknown): string {
  return JSON.stringify(query, null, 2) + '\n';
}

export class QueryDocuments implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  readonly diagnostics = vscode.languages.createDiagnosticCollection('posthog-query');
  /** Last text read or written per document: stat() must answer without a request each time. */
  private readonly files = new Map<string, QueryFile>();
  private readonly disposables: vscode.Disposable[] = [this.emitter, this.diagnostics];

  constructor(
    private readonly services: Services,
    private readonly adapter: PostHogAdapter,
  ) {
    this.disposables.push(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.diagnostics.delete(doc.uri);
        if (doc.uri.scheme === QUERY_SCHEME) this.files.delete(doc.uri.toString());
      }),
      // Reverted to what PostHog has: the refused text and its diagnostic are gone.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === QUERY_SCHEME && !e.document.isDirty) this.diagnostics.delete(e.document.uri);
      }),
    );
  }

  uriFor(source: SourceConfig, insight: PostHogInsight): vscode.Uri {
    return vscode.Uri.from({ scheme: QUERY_SCHEME, path: `/${source.id}/${insight.id}/${fileName(insight)}` });
  }

  private target(uri: vscode.Uri): { source: SourceConfig; insightId: number } {
    const [sourceId, insightId] = uri.path.split('/').filter(Boolean);
    const source = sourceId ? this.services.store.get(sourceId) : undefined;
    if (!source || source.kind !== 'posthog' || !/^\d+$/.test(insightId ?? '')) throw vscode.FileSystemError.FileNotFound(uri);
    return { source, insightId: Number(insightId) };
  }

  private async fetch(uri: vscode.Uri): Promise<string> {
    const { source, insightId } = this.target(uri);
    try {
      const insight = await (await this.adapter.client(source)).getInsightBasic(insightId);
      if (!isObject(insight.query))
        throw new InsightError('usage', vscode.l10n.t('Insight {0} has no query to edit (it is defined by legacy filters).', insightId), {
          next: vscode.l10n.t('Edit it in PostHog.'),
        });
      return queryText(insight.query);
    } catch (e) {
      if (e instanceof InsightError && e.kind === 'notFound') throw vscode.FileSystemError.FileNotFound(uri);
      throw vscode.FileSystemError.Unavailable(this.services.redactor.redact(oneLine(e)));
    }
  }

  /** Reads from PostHog; the modification time moves only when the text really changed. */
  private async load(uri: vscode.Uri): Promise<QueryFile> {
    const key = uri.toString();
    const text = await this.fetch(uri);
    const known = this.files.get(key);
    const now = Date.now();
    if (known && known.text === text) {
      known.fetchedAt = now;
      return known;
    }
    const file = { text, ctime: known?.ctime ?? now, mtime: Math.max(now, (known?.mtime ?? 0) + 1), fetchedAt: now };
    this.files.set(key, file);
    return file;
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    if (uri.path.split('/').filter(Boolean).length < 3) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    const f = this.files.get(uri.toString()) ?? (await this.load(uri));
    return { type: vscode.FileType.File, ctime: f.ctime, mtime: f.mtime, size: Buffer.byteLength(f.text) };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const known = this.files.get(uri.toString());
    const file = known && Date.now() - known.fetchedAt < FRESH_MS ? known : await this.load(uri);
    return new TextEncoder().encode(file.text);
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const { source, insightId } = this.target(uri);
    const text = new TextDecoder().decode(content);
    const query = this.checkQuery(uri, text, []);
    try {
      const updated = await (await this.adapter.client(source)).updateInsight(insightId, { query });
      this.adapter.model.applyUpdate(source, updated);
    } catch (e) {
      throw this.refused(uri, text, e, []);
    }
    this.diagnostics.delete(uri);
    const known = this.files.get(uri.toString());
    this.files.set(uri.toString(), {
      text,
      ctime: known?.ctime ?? Date.now(),
      mtime: Math.max(Date.now(), (known?.mtime ?? 0) + 1),
      fetchedAt: Date.now(),
    });
    this.services.log.info(`Saved the query of insight ${insightId} to PostHog.`);
  }

  /**
   * Parses a document's text as a query (at `base` in the document). Invalid JSON or a non-object
   * becomes a diagnostic, and an error: nothing is sent to PostHog.
   */
  checkQuery(uri: vscode.Uri, text: string, base: (string | number)[]): Record<string, unknown> {
    const parsed = parseJsonTree(text);
    if (!parsed.ok) {
      const pos = positionAt(text, parsed.offset);
      this.report(uri, text, { offset: parsed.offset, length: 1 }, vscode.l10n.t('Not valid JSON: {0}', parsed.message));
      throw new QueryNotSaved(
        vscode.l10n.t('The query is not valid JSON (line {0}, column {1}): {2} Nothing was sent to PostHog.', pos.line + 1, pos.character + 1, parsed.message),
      );
    }
    const value = base.length ? (parsed.value as Record<string, unknown>)?.[String(base[0])] : parsed.value;
    if (!isObject(value)) {
      this.report(
        uri,
        text,
        problemSpan(text, undefined, []),
        vscode.l10n.t('A PostHog query is a JSON object with a "kind", e.g. {"kind": "InsightVizNode", "source": {…}}.'),
      );
      throw new QueryNotSaved(vscode.l10n.t('A PostHog query is a JSON object with a "kind". Nothing was sent to PostHog.'));
    }
    return value;
  }

  /** A refused save: PostHog's validation error as a diagnostic where it points. */
  refused(uri: vscode.Uri, text: string, e: unknown, base: (string | number)[]): Error {
    if (!(e instanceof PostHogValidationError)) return e instanceof Error ? e : new Error(String(e));
    const parsed = parseJsonTree(text);
    const span = problemSpan(text, parsed.ok ? parsed.root : undefined, problemPath(e.attr, e.detail, base));
    this.report(uri, text, span, vscode.l10n.t('PostHog: {0}', e.detail));
    return new QueryNotSaved(vscode.l10n.t('PostHog refused the query: {0}', e.detail));
  }

  private report(uri: vscode.Uri, text: string, span: { offset: number; length: number }, message: string): void {
    const start = positionAt(text, span.offset);
    const end = positionAt(text, span.offset + span.length);
    const d = new vscode.Diagnostic(
      new vscode.Range(start.line, start.character, end.line, end.character),
      message,
      vscode.DiagnosticSeverity.Error,
    );
    d.source = 'PostHog';
    this.diagnostics.set(uri, [d]);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions(vscode.l10n.t('PostHog query documents cannot hold folders.'));
  }
  delete(): void {
    throw vscode.FileSystemError.NoPermissions(vscode.l10n.t('Move insights to the trash from the Insight Explorer view.'));
  }
  rename(): void {
    throw vscode.FileSystemError.NoPermissions(vscode.l10n.t('Rename insights from the Insight Explorer view.'));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function registerQueryCommands(services: Services, adapter: PostHogAdapter): QueryDocuments {
  const docs = new QueryDocuments(services, adapter);
  services.context.subscriptions.push(docs, vscode.workspace.registerFileSystemProvider(QUERY_SCHEME, docs, { isCaseSensitive: true }));

  const created = (source: SourceConfig, insight: PostHogInsight): PostHogInsight => {
    adapter.model.insertInsight(source, insight, 0);
    services.log.info(`Created insight ${insight.id} (${insight.short_id}).`);
    const editQuery = vscode.l10n.t('Edit Query');
    const open = vscode.l10n.t('Open');
    void vscode.window
      .showInformationMessage(safeText(vscode.l10n.t('Created “{0}” (insight {1}).', displayName(insight), insight.id)), editQuery, open)
      .then((choice) => {
        const arg = { sourceId: source.id, insightId: insight.id };
        if (choice === editQuery) return vscode.commands.executeCommand('insightExplorer.posthog.editQuery', arg);
        if (choice === open) return vscode.commands.executeCommand('insightExplorer.posthog.openInsight', arg);
        return undefined;
      });
    return insight;
  };

  registerCommand(services, 'insightExplorer.posthog.editQuery', async (arg?: unknown) => {
    const t = await insightTarget(services, adapter, arg, vscode.l10n.t('Edit Query'));
    if (!t) return undefined;
    if (t.insight.query === null)
      throw new InsightError('usage', vscode.l10n.t('“{0}” has no query to edit (it is defined by legacy filters).', displayName(t.insight)), {
        next: vscode.l10n.t('Edit it in PostHog.'),
      });
    const uri = docs.uriFor(t.source, t.insight);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    return uri;
  });

  registerCommand(services, 'insightExplorer.posthog.newInsightFromDocument', async (arg?: unknown) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) throw new InsightError('usage', vscode.l10n.t('Open a JSON document holding a PostHog query first.'));
    const doc = editor.document;
    const text = doc.getText();
    const parsed = parseJsonTree(text);
    // A query ({"kind": …}) or a whole insight ({"name", "query", …}, e.g. from Open as JSON).
    const base: string[] =
      parsed.ok && isObject(parsed.value) && typeof parsed.value.kind !== 'string' && isObject(parsed.value.query) ? ['query'] : [];
    const query = docs.checkQuery(doc.uri, text, base);
    const whole = base.length && parsed.ok ? (parsed.value as Record<string, unknown>) : {};
    const fromDoc = doc.uri.scheme === QUERY_SCHEME ? doc.uri.path.split('/').filter(Boolean)[0] : undefined;
    const source = await pickSource(services, fromDoc ? { sourceId: fromDoc } : arg, vscode.l10n.t('New Insight'), 'posthog');
    if (!source) return undefined;
    const name = await inputText(
      { title: vscode.l10n.t('New Insight'), step: 1, totalSteps: 2 },
      {
        prompt: vscode.l10n.t('Name of the new insight'),
        value: typeof whole.name === 'string' ? whole.name : '',
        validate: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a name.')),
      },
    );
    if (name === undefined) return undefined;
    const tagText = await inputText(
      { title: vscode.l10n.t('New Insight'), step: 2, totalSteps: 2 },
      { prompt: vscode.l10n.t('Tags, separated by commas (optional)'), value: Array.isArray(whole.tags) ? whole.tags.join(', ') : '' },
    );
    if (tagText === undefined) return undefined;
    try {
      const insight = await (
        await adapter.client(source)
      ).createInsight({
        name: name.trim(),
        query,
        tags: parseTags(tagText),
        description: typeof whole.description === 'string' ? whole.description : undefined,
      });
      docs.diagnostics.delete(doc.uri);
      return created(source, insight);
    } catch (e) {
      throw docs.refused(doc.uri, text, e, base);
    }
  });

  registerCommand(services, 'insightExplorer.posthog.duplicateInsight', async (arg?: unknown) => {
    const t = await insightTarget(services, adapter, arg, vscode.l10n.t('Duplicate Insight'));
    if (!t) return undefined;
    const client = await adapter.client(t.source);
    const original = await client.getInsightBasic(t.insight.id);
    if (!isObject(original.query))
      throw new InsightError('usage', vscode.l10n.t('“{0}” has no query to copy (it is defined by legacy filters).', displayName(original)), {
        next: vscode.l10n.t('Duplicate it in PostHog.'),
      });
    const name = await inputText(
      { title: vscode.l10n.t('Duplicate “{0}”', displayName(original)) },
      {
        prompt: vscode.l10n.t('Name of the copy'),
        value: vscode.l10n.t('{0} (copy)', displayName(original)),
        validate: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a name.')),
      },
    );
    if (name === undefined) return undefined;
    const copy = await client.createInsight({
      name: name.trim(),
      query: original.query,
      description: original.description ?? undefined,
      tags: original.tags ?? [],
    });
    return created(t.source, copy);
  });

  return docs;
}
