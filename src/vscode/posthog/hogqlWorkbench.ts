/**
 * The HogQL workbench: `.hogql` documents that run on a PostHog project's own engine.
 *
 * - **New HogQL Query** (on a PostHog source) opens an untitled `.hogql` document whose first line
 *   names the source (`-- source: <label>`); a document without it asks which source on Run and
 *   writes the line.
 * - **Run** (Ctrl+Enter / Cmd+Enter, the editor's ▶, a CodeLens above each statement) runs the
 *   statement under the cursor asynchronously with PostHog's progress (rows and bytes read) and a
 *   Cancel that also cancels the query on PostHog, then shows the rows through the one result
 *   pipeline: the preview (grid, statistics, chart controls, Export) beside the query, and the
 *   answer as JSON. A cut result is never silent: `hasMore` (no LIMIT: 100 rows) or exactly 50,000
 *   rows says so, with **Fetch All**, which pages by time (never OFFSET).
 * - **Diagnostics as you type**: PostHog's HogQLMetadata errors and warnings at their ranges.
 * - **Completion and hover** from the project's DatabaseSchemaQuery (tables and their fields with
 *   types), asked once per source until a refresh.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { InsightError, isCancelled, oneLine } from '../../core/errors';
import type { SourceConfig } from '../../core/platform';
import { HOGQL_FETCH_CONCURRENCY, HOGQL_MAX_ROWS, HogQLClient, type HogQLResult, type HogQLSchemaTable } from '../../core/sources/posthog/hogql';
import { type HogQLResultFiles, hogqlCell, openHogQLResultFiles } from '../../core/sources/posthog/hogqlOutput';
import { type HogQLStatement, sourceLabelOf, sourceLine, statementAt, statementsOf } from '../../core/sources/posthog/hogqlText';
import { sourceOfKind } from '../commands/sourceCommands';
import { registerCommand } from '../commands/register';
import type { OpenedResult, ResultOpener } from '../documents/resultOpener';
import type { Services } from '../services';
import { HistoryEntryNode, type PostHogAdapter, SchemaTableNode } from './posthogTree';
import { type HogQLHistoryEntry, recordHistory } from './hogqlHistory';

export const HOGQL_LANGUAGE = 'hogql';
const STARTER = 'SELECT event, count() AS events\nFROM events\nGROUP BY event\nORDER BY events DESC\nLIMIT 100\n';
const DIAGNOSTICS_DELAY_MS = 600;

/** The statement without its leading comment lines (the header), and where that text starts. */
function runnable(s: HogQLStatement): { sql: string; start: number } {
  let sql = s.sql;
  let start = s.start;
  for (;;) {
    const m = /^(\s*--[^\n]*(\n|$))/.exec(sql);
    if (!m) break;
    sql = sql.slice(m[1].length);
    start += m[1].length;
  }
  const lead = sql.length - sql.trimStart().length;
  return { sql: sql.trim(), start: start + lead };
}

export interface HogQLRun extends OpenedResult {
  /** The result store's key of its rows. */
  resultKey: string;
  rows: number;
  capped: boolean;
  hasMore: boolean | null;
  /** Queries made (more than one after Fetch All). */
  queries: number;
}

export class HogQLWorkbench implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('hogql');
  private readonly disposables: vscode.Disposable[] = [this.diagnostics];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lensEmitter = new vscode.EventEmitter<void>();
  /** The runs in progress, by document: Cancel aborts them (and the query on PostHog). */
  private readonly running = new Map<string, AbortController>();
  /** The database schema of each source, asked once (failures are not kept). */
  private readonly schemas = new Map<string, Promise<HogQLSchemaTable[]>>();

  constructor(
    private readonly services: Services,
    private readonly adapter: PostHogAdapter,
    private readonly opener: ResultOpener,
  ) {
    const check = (doc: vscode.TextDocument) => {
      if (doc.languageId === HOGQL_LANGUAGE) this.scheduleDiagnostics(doc);
    };
    this.disposables.push(
      this.lensEmitter,
      vscode.workspace.onDidOpenTextDocument(check),
      vscode.workspace.onDidChangeTextDocument((e) => check(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.diagnostics.delete(doc.uri)),
      vscode.languages.registerCodeLensProvider({ language: HOGQL_LANGUAGE }, {
        onDidChangeCodeLenses: this.lensEmitter.event,
        provideCodeLenses: (doc) => this.lenses(doc),
      }),
      vscode.languages.registerCompletionItemProvider({ language: HOGQL_LANGUAGE }, { provideCompletionItems: (doc) => this.completions(doc) }),
      vscode.languages.registerHoverProvider({ language: HOGQL_LANGUAGE }, { provideHover: (doc, pos) => this.hover(doc, pos) }),
      services.store.onDidChange(() => this.schemas.clear()),
    );
    for (const doc of vscode.workspace.textDocuments) check(doc);
  }

  register(): void {
    registerCommand(this.services, 'insightExplorer.posthog.newHogQLQuery', (arg?: unknown) => this.newQuery(arg));
    registerCommand(this.services, 'insightExplorer.posthog.runHogQL', (arg?: unknown) => this.run(arg));
    registerCommand(this.services, 'insightExplorer.posthog.cancelHogQL', (arg?: unknown) => this.cancel(arg));
    registerCommand(this.services, 'insightExplorer.posthog.queryTable', (arg?: unknown) => this.queryTable(arg));
    registerCommand(this.services, 'insightExplorer.posthog.reopenHogQL', (arg?: unknown) => this.reopen(arg));
    registerCommand(this.services, 'insightExplorer.posthog.saveHogQLAsInsight', (arg?: unknown) => this.saveAsInsight(arg));
    registerCommand(this.services, 'insightExplorer.posthog.openHogQLResult', (arg?: unknown) => this.openResult(arg));
    this.services.context.subscriptions.push(this);
  }

  /** An untitled `.hogql` document for a PostHog source, with a starter query. */
  async newQuery(arg?: unknown): Promise<vscode.TextDocument | undefined> {
    const source = await sourceOfKind(this.services, arg, 'posthog', vscode.l10n.t('New HogQL Query'));
    if (!source) return undefined;
    const doc = await vscode.workspace.openTextDocument({ language: HOGQL_LANGUAGE, content: `${sourceLine(source.label)}\n${STARTER}` });
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    const at = doc.positionAt(doc.getText().indexOf('SELECT'));
    editor.selection = new vscode.Selection(at, at);
    return doc;
  }

  /** Query This Table (a table under Schema): a starter query of the table. */
  async queryTable(arg?: unknown): Promise<vscode.TextDocument> {
    if (!(arg instanceof SchemaTableNode)) throw new InsightError('usage', vscode.l10n.t('Select a table under Schema in the Insight Explorer view first.'));
    const quote = (n: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(n) ? n : `\`${n.replace(/`/g, '\\`')}\``);
    // Its first plain columns by name (joins and virtual tables left out), so the query shows what it reads.
    const plain = /^(string|integer|float|decimal|datetime|date|boolean|json|uuid)$/i;
    const columns = arg.table.fields.filter((f) => plain.test(f.type)).slice(0, 8).map((f) => quote(f.name));
    const select = columns.length ? columns.join(', ') : '*';
    const doc = await vscode.workspace.openTextDocument({
      language: HOGQL_LANGUAGE,
      content: `${sourceLine(arg.source.label)}\nSELECT ${select}\nFROM ${quote(arg.table.name)}\nLIMIT 100\n`,
    });
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  }

  /**
   * Save as Insight: the statement under the cursor becomes a PostHog insight (a SQL insight: a
   * DataVisualizationNode around the HogQLQuery), shown at the top of Insights.
   */
  async saveAsInsight(arg?: unknown): Promise<{ id: number; name: string } | undefined> {
    const a = (arg ?? {}) as { uri?: vscode.Uri | string; offset?: number; name?: string };
    const uri = a.uri ? (typeof a.uri === 'string' ? vscode.Uri.parse(a.uri) : a.uri) : vscode.window.activeTextEditor?.document.uri;
    const doc = uri && vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (!doc || doc.languageId !== HOGQL_LANGUAGE) throw new InsightError('usage', vscode.l10n.t('Open a .hogql document to save its query as an insight.'));
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const statement = statementAt(doc.getText(), a.offset ?? (editor ? doc.offsetAt(editor.selection.active) : 0));
    if (!statement) throw new InsightError('usage', vscode.l10n.t('There is no query in this document to save.'));
    const { sql } = runnable(statement);
    const source = await this.sourceFor(doc, true);
    if (!source) return undefined;
    const name =
      a.name ??
      (await this.services.input.text(
        { title: vscode.l10n.t('Save as Insight in {0}', source.label) },
        {
          prompt: vscode.l10n.t('Name of the new insight'),
          value: sql.replace(/\s+/g, ' ').slice(0, 60),
          validate: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a name.')),
        },
      ));
    if (name === undefined) return undefined;
    const insight = await (await this.adapter.client(source)).createInsight({
      name: name.trim(),
      query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: sql } },
    });
    this.adapter.model.insertInsight(source, insight, 0);
    void vscode.window.showInformationMessage(vscode.l10n.t('Saved as insight “{0}” in {1}.', name.trim(), source.label));
    return { id: insight.id, name: name.trim() };
  }

  /** A Query History entry's text in a new `.hogql` document, with its source line. */
  async reopen(arg?: unknown): Promise<vscode.TextDocument> {
    if (!(arg instanceof HistoryEntryNode)) throw new InsightError('usage', vscode.l10n.t('Select a query under Query History first.'));
    const doc = await vscode.workspace.openTextDocument({ language: HOGQL_LANGUAGE, content: `${sourceLine(arg.source.label)}\n${arg.entry.sql}\n` });
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  }

  /** A Query History entry's rows in the preview again, from the result store (no request). */
  async openResult(arg?: unknown): Promise<boolean> {
    if (!(arg instanceof HistoryEntryNode) || !arg.entry.resultKey) throw new InsightError('usage', vscode.l10n.t('Select a query with a result under Query History first.'));
    const shown = await this.opener.reopen(arg.source.id, arg.entry.resultKey);
    if (!shown)
      throw new InsightError('notFound', vscode.l10n.t('That result is no longer stored.'), { next: vscode.l10n.t('Open the query and run it again.') });
    return shown;
  }

  private async record(source: SourceConfig, entry: Omit<HogQLHistoryEntry, 'id' | 'at'> & { startedAt: number }): Promise<void> {
    const { startedAt, ...rest } = entry;
    await recordHistory(this.services.context.globalState, source.id, { id: randomUUID().slice(0, 8), at: new Date(startedAt).toISOString(), ...rest });
    this.adapter.model.refreshHistory(source.id);
  }

  /** The source the document names, or the one picked (then named in its first line). */
  private async sourceFor(doc: vscode.TextDocument, ask: boolean): Promise<SourceConfig | undefined> {
    const label = sourceLabelOf(doc.getText());
    const posthog = this.services.store.list().filter((s) => s.kind === 'posthog');
    if (label !== undefined) {
      const named = posthog.find((s) => s.label === label);
      if (named || !ask) return named;
      throw new InsightError('notFound', vscode.l10n.t('No PostHog source is named “{0}” (first line of {1}).', label, doc.fileName), {
        next: vscode.l10n.t('Correct the -- source: line, or add the source.'),
      });
    }
    if (!ask) return undefined;
    const picked = await sourceOfKind(this.services, undefined, 'posthog', vscode.l10n.t('Run HogQL: which PostHog project?'));
    if (!picked) return undefined;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), `${sourceLine(picked.label)}\n`);
    await vscode.workspace.applyEdit(edit);
    return picked;
  }

  private hogql(client: Awaited<ReturnType<PostHogAdapter['client']>>): HogQLClient {
    const poll = vscode.workspace.getConfiguration('insightExplorer').get<number>('posthog.pollIntervalMs', 1000);
    return new HogQLClient(client, { pollIntervalMs: poll });
  }

  /**
   * Runs the statement under the cursor (or at `arg.offset` in `arg.uri`); resolves to what was
   * shown, or undefined when cancelled.
   */
  async run(arg?: unknown): Promise<HogQLRun | undefined> {
    const a = (arg ?? {}) as { uri?: vscode.Uri | string; offset?: number };
    const uri = a.uri ? (typeof a.uri === 'string' ? vscode.Uri.parse(a.uri) : a.uri) : vscode.window.activeTextEditor?.document.uri;
    const doc = uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? (await vscode.workspace.openTextDocument(uri)) : undefined;
    if (!doc || doc.languageId !== HOGQL_LANGUAGE) throw new InsightError('usage', vscode.l10n.t('Open a .hogql document to run it.'), { next: vscode.l10n.t('Use PostHog: New HogQL Query on a PostHog source.') });
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const offset = a.offset ?? (editor ? doc.offsetAt(editor.selection.active) : 0);
    const lengthBefore = doc.getText().length;
    const source = await this.sourceFor(doc, true);
    if (!source) return undefined;
    // A header line written just now moves every offset by its length.
    const text = doc.getText();
    const statement = statementAt(text, offset + (text.length - lengthBefore));
    if (!statement) throw new InsightError('usage', vscode.l10n.t('There is no query in this document to run.'), { next: vscode.l10n.t('Write a SELECT statement.') });
    const { sql } = runnable(statement);

    const key = doc.uri.toString();
    this.running.get(key)?.abort();
    const controller = new AbortController();
    this.running.set(key, controller);
    this.lensEmitter.fire();
    const client = this.hogql(await this.adapter.client(source));
    const timeoutMs = vscode.workspace.getConfiguration('insightExplorer').get<number>('posthog.queryTimeoutSeconds', 300) * 1000;
    const started = Date.now();
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('PostHog HogQL ({0})', source.label), cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return client.run(sql, {
            async: true,
            signal: controller.signal,
            timeoutMs,
            onProgress: (p) => {
              const parts = [
                p.rowsRead !== undefined ? vscode.l10n.t('{0} rows read', p.rowsRead.toLocaleString('en-US')) : '',
                p.bytesRead !== undefined ? `${(p.bytesRead / 1e6).toFixed(1)} MB` : '',
                p.estimatedRowsTotal ? vscode.l10n.t('of ~{0}', p.estimatedRowsTotal.toLocaleString('en-US')) : '',
              ].filter(Boolean);
              progress.report({ message: parts.length ? parts.join(' · ') : vscode.l10n.t('running… (check {0})', p.polls) });
            },
          });
        },
      );
      this.services.log.info(`HogQL on ${source.label}: ${result.results.length} rows in ${Date.now() - started} ms${result.capped ? ' (PostHog may have cut the result)' : ''}.`);
      const shown = await this.show(source, doc, sql, result, 1);
      await this.record(source, { sql, status: 'ok', rows: shown.rows, capped: result.capped, durationMs: Date.now() - started, startedAt: started, resultKey: shown.resultKey });
      if (result.capped) void this.offerFetchAll(source, doc, sql, client, result);
      return shown;
    } catch (e) {
      if (isCancelled(e) || controller.signal.aborted) {
        this.services.log.info(`HogQL on ${source.label}: cancelled (the query was cancelled on PostHog too).`);
        await this.record(source, { sql, status: 'cancelled', durationMs: Date.now() - started, startedAt: started });
        return undefined;
      }
      await this.record(source, { sql, status: 'failed', message: this.services.redactor.redact(oneLine(e)), durationMs: Date.now() - started, startedAt: started });
      throw e;
    } finally {
      if (this.running.get(key) === controller) this.running.delete(key);
      this.lensEmitter.fire();
    }
  }

  /** Cancels the runs of a document (or of every document). */
  cancel(arg?: unknown): number {
    const a = (arg ?? {}) as { uri?: vscode.Uri | string };
    const key = a.uri ? a.uri.toString() : vscode.window.activeTextEditor?.document.uri.toString();
    const targets = key && this.running.has(key) ? [key] : [...this.running.keys()];
    for (const k of targets) this.running.get(k)?.abort();
    return targets.length;
  }

  private async offerFetchAll(source: SourceConfig, doc: vscode.TextDocument, sql: string, client: HogQLClient, result: HogQLResult): Promise<void> {
    const n = result.results.length;
    const why =
      n === HOGQL_MAX_ROWS
        ? vscode.l10n.t('{0} rows shown; PostHog caps a query there — Fetch All to get the rest.', n.toLocaleString('en-US'))
        : vscode.l10n.t('{0} rows shown; PostHog has more (a query without LIMIT returns 100) — add a LIMIT, or Fetch All.', n.toLocaleString('en-US'));
    const fetchAll = vscode.l10n.t('Fetch All');
    const choice = await vscode.window.showWarningMessage(why, fetchAll);
    if (choice !== fetchAll) return;
    const settings = vscode.workspace.getConfiguration('insightExplorer');
    const maxRows = settings.get<number>('posthog.hogqlMaxRows', 1_000_000);
    // fetchAll keeps it within 1–3 whatever the settings file says.
    const concurrency = settings.get<number>('posthog.hogqlFetchConcurrency', HOGQL_FETCH_CONCURRENCY);
    const controller = new AbortController();
    const key = doc.uri.toString();
    this.running.set(key, controller);
    this.lensEmitter.fire();
    const started = Date.now();
    const resultKey = this.resultKeyOf(source, sql);
    // Page by page into the result's files (the raw JSON, the CSV document, the preview's rows):
    // a million rows never sit in the extension host at once. Atomic: a failed or cancelled
    // Fetch All leaves the last result as it was.
    let files: HogQLResultFiles | undefined;
    try {
      const paths = await this.opener.filesFor(source, resultKey, 'json');
      files = await openHogQLResultFiles(paths, paths.formulaGuard);
      const { writer } = files;
      const all = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('PostHog HogQL: fetching all rows ({0})', source.label), cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return client.fetchAll(sql, {
            maxRows,
            concurrency,
            async: true,
            signal: controller.signal,
            onPage: (n, queries) => progress.report({ message: vscode.l10n.t('{0} rows so far ({1} queries)', n.toLocaleString('en-US'), queries) }),
            onRows: (page, head) => writer.append(page, head),
          });
        },
      );
      await writer.end(all);
      await files.commit();
      await this.opener.showWritten(
        source,
        {
          key: resultKey,
          title: this.titleOf(doc, sql),
          subtitle: vscode.l10n.t('PostHog · HogQL · {0} · {1} rows', source.label, all.rows.toLocaleString('en-US')),
          summary: `HogQL on ${source.label}: ${all.rows} rows, ${all.queries} queries (Fetch All).`,
          rawExt: 'json',
          columns: all.columns,
          rows: all.rows,
        },
        'beside',
      );
      await this.record(source, { sql, status: 'ok', rows: all.rows, capped: all.reachedMax, durationMs: Date.now() - started, startedAt: started, resultKey });
      if (all.reachedMax)
        void vscode.window.showWarningMessage(
          vscode.l10n.t('Stopped at {0} rows (insightExplorer.posthog.hogqlMaxRows); more rows may exist.', maxRows.toLocaleString('en-US')),
        );
    } catch (e) {
      await files?.abort();
      if (isCancelled(e) || controller.signal.aborted) return;
      void vscode.window.showErrorMessage(this.services.redactor.redact(oneLine(e)));
    } finally {
      if (this.running.get(key) === controller) this.running.delete(key);
      this.lensEmitter.fire();
    }
  }

  private resultKeyOf(source: SourceConfig, sql: string): string {
    return `hogql-${createHash('sha256').update(`${source.id}\n${sql}`).digest('hex').slice(0, 12)}`;
  }

  private titleOf(doc: vscode.TextDocument, sql: string): string {
    return doc.isUntitled ? sql.replace(/\s+/g, ' ').slice(0, 48) : (doc.fileName.split(/[\\/]/).pop() ?? 'HogQL');
  }

  private async show(source: SourceConfig, doc: vscode.TextDocument, sql: string, result: HogQLResult, queries: number): Promise<HogQLRun> {
    const name = this.titleOf(doc, sql);
    const rows = result.results.map((r) => (Array.isArray(r) ? r.map(hogqlCell) : [hogqlCell(r)]));
    const resultKey = this.resultKeyOf(source, sql);
    const opened = await this.opener.show(
      source,
      {
        key: resultKey,
        title: name,
        subtitle: `${vscode.l10n.t('PostHog · HogQL · {0} · {1} rows', source.label, rows.length.toLocaleString('en-US'))}${result.capped && queries === 1 ? vscode.l10n.t(' (PostHog may have more)') : ''}`,
        raw: { ext: 'json', bytes: Buffer.from(JSON.stringify({ columns: result.columns, types: result.types, results: result.results }) + '\n') },
        tables: [{ columns: result.columns, rows }],
        summary: `HogQL on ${source.label}: ${rows.length} rows, ${queries} ${queries === 1 ? 'query' : 'queries'}.`,
      },
      'beside',
    );
    return { ...opened, resultKey, rows: rows.length, capped: result.capped, hasMore: result.hasMore, queries };
  }

  /** The schema of the document's source; undefined when it names none or PostHog will not say. */
  private async schemaOf(doc: vscode.TextDocument): Promise<HogQLSchemaTable[] | undefined> {
    let source: SourceConfig | undefined;
    try {
      source = await this.sourceFor(doc, false);
    } catch {
      return undefined;
    }
    if (!source) return undefined;
    const known = source.id;
    let p = this.schemas.get(known);
    if (!p) {
      p = (async () => this.hogql(await this.adapter.client(source)).schema())();
      this.schemas.set(known, p);
      p.catch((e: unknown) => {
        this.schemas.delete(known);
        this.services.log.warn(`HogQL schema of ${source.label}: ${this.services.redactor.redact(oneLine(e))}`);
      });
    }
    return p.catch(() => undefined);
  }

  /** Tables, and the fields of every table with their types (the table named in the detail). */
  private async completions(doc: vscode.TextDocument): Promise<vscode.CompletionItem[]> {
    const schema = await this.schemaOf(doc);
    if (!schema) return [];
    const items: vscode.CompletionItem[] = [];
    const seen = new Set<string>();
    for (const t of schema) {
      const table = new vscode.CompletionItem(t.name, vscode.CompletionItemKind.Class);
      table.detail = vscode.l10n.t('table ({0})', t.type);
      items.push(table);
      for (const f of t.fields) {
        if (seen.has(f.name)) continue;
        seen.add(f.name);
        const field = new vscode.CompletionItem(f.name, vscode.CompletionItemKind.Field);
        field.detail = `${f.type} · ${t.name}`;
        items.push(field);
      }
    }
    return items;
  }

  /** A field's or table's type from the schema, e.g. "timestamp: datetime (events)". */
  private async hover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const range = doc.getWordRangeAtPosition(pos, /[$A-Za-z_][$A-Za-z0-9_]*/);
    if (!range) return undefined;
    const word = doc.getText(range);
    const schema = await this.schemaOf(doc);
    if (!schema) return undefined;
    const table = schema.find((t) => t.name === word);
    if (table)
      return new vscode.Hover(
        new vscode.MarkdownString().appendText(vscode.l10n.t('{0}: table ({1}), {2} fields', word, table.type, table.fields.length)),
        range,
      );
    const owners = schema.filter((t) => t.fields.some((f) => f.name === word));
    if (owners.length === 0) return undefined;
    const lines = owners.map((t) => `${word}: ${t.fields.find((f) => f.name === word)!.type} (${t.name})`);
    return new vscode.Hover(new vscode.MarkdownString().appendText(lines.join('\n')), range);
  }

  private lenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const running = this.running.has(doc.uri.toString());
    return statementsOf(doc.getText()).map((s) => {
      const { start } = runnable(s);
      const range = new vscode.Range(doc.positionAt(start), doc.positionAt(start));
      return new vscode.CodeLens(
        range,
        running
          ? {
              title: `$(debug-stop) ${vscode.l10n.t('Cancel')}`,
              command: 'insightExplorer.posthog.cancelHogQL',
              arguments: [{ uri: doc.uri }],
            }
          : {
              title: `$(play) ${vscode.l10n.t('Run')}`,
              command: 'insightExplorer.posthog.runHogQL',
              arguments: [{ uri: doc.uri, offset: start }],
            },
      );
    });
  }

  private scheduleDiagnostics(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.refreshDiagnostics(doc);
      }, DIAGNOSTICS_DELAY_MS),
    );
  }

  /** PostHog's HogQLMetadata for each statement, at their ranges; nothing when the source is unknown. */
  async refreshDiagnostics(doc: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
    const version = doc.version;
    let source: SourceConfig | undefined;
    try {
      source = await this.sourceFor(doc, false);
    } catch {
      source = undefined;
    }
    if (!source) {
      this.diagnostics.delete(doc.uri);
      return [];
    }
    const out: vscode.Diagnostic[] = [];
    try {
      const client = this.hogql(await this.adapter.client(source));
      for (const s of statementsOf(doc.getText())) {
        const { sql, start } = runnable(s);
        if (!sql) continue;
        const meta = await client.metadata(sql);
        const add = (list: typeof meta.errors, severity: vscode.DiagnosticSeverity) => {
          for (const n of list) {
            const from = start + Math.max(0, Math.min(n.start ?? 0, sql.length));
            const to = start + Math.max(0, Math.min(n.end ?? sql.length, sql.length));
            const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(from), doc.positionAt(Math.max(to, from + 1))), n.message, severity);
            d.source = 'PostHog HogQL';
            out.push(d);
          }
        };
        add(meta.errors, vscode.DiagnosticSeverity.Error);
        add(meta.warnings, vscode.DiagnosticSeverity.Warning);
        add(meta.notices, vscode.DiagnosticSeverity.Information);
      }
    } catch (e) {
      // A network or key problem is not the query's fault: logged, not drawn under the text.
      this.services.log.warn(`HogQL diagnostics for ${doc.fileName}: ${this.services.redactor.redact(oneLine(e))}`);
      return [];
    }
    if (doc.version === version && !doc.isClosed) this.diagnostics.set(doc.uri, out);
    return out;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const c of this.running.values()) c.abort();
    for (const d of this.disposables) d.dispose();
  }
}
