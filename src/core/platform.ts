/**
 * The platform contract: what every platform Insight Explorer reads provides, in one shape the
 * extension, the CLI and the sandbox share. Each platform implements it in its own folder
 * (src/core/sources/<kind>/platform.ts); src/core/platforms.ts lists them. Nothing here knows
 * VS Code: prompts go through UserInput, counted words through Counts, settings through ClientDeps.
 */
import type { CsvCell } from './csv';
import type { HttpLimits } from './limits';
import type { ChartSpec } from '../protocol';
import type { Logger, Redactor } from './log';
import type { UserInput, StepArgs } from './userInput';

export type SourceKind = 'posthog' | 'echo360' | 'canvas' | 'studio';

/** A configured connection. Never holds a secret: those live in the secret store only. */
export interface SourceConfig {
  id: string;
  kind: SourceKind;
  label: string;
  baseUrl: string;
  /** Kind-specific non-secret settings (PostHog: projectId, environment). */
  options: Record<string, string | boolean | string[] | undefined>;
  createdAt: string;
}

/** What Add Source produces: the source to store and its secret. */
export interface NewSource {
  input: Omit<SourceConfig, 'id' | 'createdAt'>;
  secret: string;
}

/** Counted nouns ("1 course", "2 courses"): VS Code's come through vscode.l10n, the CLI's are English. */
export interface Counts {
  accounts(n: number): string;
  courses(n: number): string;
  perspectives(n: number): string;
  reports(n: number): string;
  savedInsights(n: number): string;
  views(n: number): string;
  participations(n: number): string;
}

/** What a client is made with besides the source and its secret. */
export interface ClientDeps {
  logger: Logger;
  redactor: Redactor;
  limits: HttpLimits;
  /** A user setting under `insightExplorer.` (e.g. `posthog.pollIntervalMs`); undefined when unset. */
  setting?(key: string): unknown;
  /**
   * State shared by every client of the extension's (or the CLI run's) life, made once per key:
   * Echo360's per-institution rate limiter, for one.
   */
  shared<T>(key: string, make: () => T): T;
  /**
   * Where a client writes a secret it renewed (Studio's single-use refresh tokens). Absent for a
   * draft source (Add Source's connection test), which has nowhere to keep it yet: the platform
   * then must not renew.
   */
  saveSecret?(next: string): Promise<void>;
}

/** The facts of a platform: names, icon, docs, and the CLI's secret variables. */
export interface PlatformInfo {
  kind: SourceKind;
  /** As the Add Source picker and the CLI's help name it. */
  label: string;
  /** One line under the label in the Add Source picker. */
  detail: string;
  /** A codicon id for the tree and the picker. */
  icon: string;
  /** The API's documentation of the permissions a key or token needs (offered on a 403). */
  permissionDocs: string;
  /** Environment variables the CLI reads this platform's secrets from (all redacted from output). */
  secretEnv: readonly string[];
}

/**
 * What the generic tree and commands may do with an item; its menus key on these (`contextValue`
 * lists them: `studio:insight:overview;open;`).
 */
export type Capability = 'open' | 'openRaw' | 'copyId';

/** A plain tree item a platform lists; the VS Code layer draws it and offers its capabilities. */
export interface PlatformItem {
  /** Unique among its siblings and stable (backend ids, never labels): the node id is the parent's id + `/` + key. */
  key: string;
  /** The platform's word for it (`perspective`, `insight:overview`); the platform's own menus key on it. */
  type: string;
  label: string;
  description?: string;
  /** Plain text (shown escaped). */
  tooltip?: string;
  /** A codicon id. */
  icon?: string;
  /** Has children (`children(item)` lists them); 'expanded' shows them at first. */
  expandable?: boolean | 'expanded';
  /** Shown in place of its children when it has none. */
  empty?: string;
  /** Its children cost a request: list them once per source until a refresh. */
  cacheChildren?: boolean;
  capabilities?: readonly Capability[];
  /** What a click does when it is not Open: a command, given the item's node. */
  command?: { command: string; title: string };
  /** Copy Id copies this. */
  id?: string;
  /** Whatever the platform needs to list or fetch it again (JSON-safe). */
  data?: unknown;
}

/** One table of a fetched result, as the preview shows it. */
export interface ResultTable {
  /** Tells the tables of one result apart (store keys); absent for a result of one table. */
  key?: string;
  /** Its document's and preview's title; the result's title when absent. */
  title?: string;
  /** The table's own name ("Page views"), when a result has several. */
  name?: string;
  columns: string[];
  rows: CsvCell[][];
  /** The platform's own charts of it, the first shown first. */
  charts?: ChartSpec[];
  /** Why there is no chart, when there is none. */
  chartNote?: string;
}

/** One answer of a platform: its raw text as sent (the document) and its tables (the previews). */
export interface PlatformResult {
  /** The result store's key: the same item opened again replaces its result. */
  key: string;
  title: string;
  subtitle: string;
  /** Exactly as the service sent it. */
  raw: { ext: 'csv' | 'json'; bytes: Buffer };
  tables: ResultTable[];
  /** One line for the log. */
  summary: string;
}

export interface FetchContext {
  signal: AbortSignal;
  /** A short progress message ("page 3…"). */
  progress(message: string): void;
}

export interface Platform<C = unknown> extends PlatformInfo {
  /**
   * A client for the source. Throws an InsightError of kind `auth` (with "Use Set Credentials…")
   * when the secret is missing or unreadable.
   */
  client(source: SourceConfig, secret: string | undefined, deps: ClientDeps): C;
  /** The source options a client is made from (a cached client is remade when one changes). */
  clientOptions?: readonly string[];
  /** A cheap authenticated call; resolves to the sentence the notification shows. */
  testConnection(client: C, source: SourceConfig, counts: Counts, signal?: AbortSignal): Promise<string>;
  /** The tree's description of a source, e.g. "us.posthog.com · project 12345". */
  describe(source: SourceConfig, counts: Counts): string;
  /** The Add Source steps after the kind was picked (numbered from `firstStep`); undefined when cancelled. */
  add(ui: UserInput, title: string, firstStep: number): Promise<NewSource | undefined>;
  /** Edit Source: the patch, or undefined when cancelled. */
  edit(ui: UserInput, source: SourceConfig): Promise<Partial<SourceConfig> | undefined>;
  /** Asks for the secret (password boxes); resolves to what is stored, undefined when cancelled. */
  promptSecret(ui: UserInput, source: Pick<SourceConfig, 'label'>, step?: StepArgs): Promise<string | undefined>;
  /**
   * The values inside a stored secret that must never be shown (a JSON bundle's tokens and client
   * secret, each on its own); the whole secret when absent.
   */
  secretParts?(secret: string): string[];
  /**
   * The items under the source (`parent` undefined) or under an item, for platforms whose tree is
   * plain items; a platform with a tree of its own in the VS Code layer leaves this out.
   */
  children?(source: SourceConfig, parent: PlatformItem | undefined, client: () => Promise<C>, counts: Counts): Promise<PlatformItem[]>;
  /** Fetches an item that offers `open`. */
  fetch?(client: C, source: SourceConfig, item: PlatformItem, ctx: FetchContext): Promise<PlatformResult>;
}

/** Every value of a stored secret the redactor must hide. */
export function secretPartsOf(platform: Pick<Platform, 'secretParts'>, secret: string | undefined): string[] {
  if (!secret) return [];
  return [secret, ...(platform.secretParts?.(secret) ?? [])].filter((v) => v.length > 0);
}

/** The host of a base URL, or the URL as entered when it does not parse. */
export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}
