/**
 * PostHog's activity log for insights (`…/insights/activity/` for the project,
 * `…/insights/:id/activity/` for one insight), rendered for people: who, when, what changed
 * (field before → after). Pages are numbered (`page`, `limit`), not offsets:
 * `{results, next, previous, total_count}`.
 */
import { formatUtc } from '../../dates';
import { PostHogUser, userLabel } from './types';

export interface ActivityChange {
  type?: string;
  action?: string;
  field?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface ActivityEntry {
  id?: string;
  user?: PostHogUser | null;
  activity: string;
  scope?: string;
  item_id?: string | number | null;
  is_system?: boolean;
  detail?: { name?: string | null; short_id?: string | null; changes?: ActivityChange[] | null } | null;
  created_at: string;
}

export interface ActivityPage {
  results: ActivityEntry[];
  next: string | null;
  previous?: string | null;
  total_count?: number;
}

/** Who did it: the person's name, or "PostHog" for system changes. */
export function activityActor(e: ActivityEntry): string {
  if (e.is_system || !e.user) return e.is_system ? 'PostHog' : 'someone';
  return userLabel(e.user);
}

/** "2024-07-01 09:12 UTC": unambiguous for readers in any time zone. */
export function activityTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${formatUtc(t, 'minute')} UTC`;
}

const MAX_VALUE = 240;

function clip(s: string, max = MAX_VALUE): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A before/after value as plain text: quoted strings, comma lists, compact JSON for objects. */
export function activityValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(none)';
  if (typeof v === 'string') return `“${clip(v)}”`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.length ? clip(v.join(', ')) : '(none)';
  return clip(JSON.stringify(v));
}

/** One change as a sentence fragment: `name: “A” → “B”`, `moved to the trash`. */
export function activityChange(c: ActivityChange): string {
  const field = c.field ?? '';
  if (field === 'deleted') return c.after === true ? 'moved to the trash' : 'restored from the trash';
  if (field === 'favorited') return c.after === true ? 'added to favourites' : 'removed from favourites';
  if (c.action === 'created' && !field) return 'created';
  if (!field) return c.action ?? 'changed';
  return `${field}: ${activityValue(c.before)} → ${activityValue(c.after)}`;
}

function entryName(e: ActivityEntry): string {
  return (
    e.detail?.name || (e.detail?.short_id ? `insight ${e.detail.short_id}` : e.item_id != null ? `insight ${e.item_id}` : 'an insight')
  );
}

/** Rows for the CLI: created_at, who, activity, item_id, name, changes. */
export function activityRows(entries: ActivityEntry[]): string[][] {
  return entries.map((e) => [
    e.created_at,
    e.user?.email ?? activityActor(e),
    e.activity,
    e.item_id == null ? '' : String(e.item_id),
    e.detail?.name ?? '',
    (e.detail?.changes ?? []).map(activityChange).join('; '),
  ]);
}

/**
 * Text from a server, safe inside markdown. The document is mostly read as source in the editor,
 * so only what would change its structure or hide text is escaped (emphasis, links, HTML, code).
 */
function md(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, '\\$&');
}

export interface ActivityDocumentOptions {
  title: string;
  subtitle: string;
  /** Include which insight each entry is about (project-wide activity). */
  perInsight: boolean;
  /** All entries on the server, when known; a shorter list says it is the latest part. */
  totalCount?: number;
}

/** The activity as a markdown document, newest first. */
export function activityMarkdown(entries: ActivityEntry[], opts: ActivityDocumentOptions): string {
  const out: string[] = [`# ${md(opts.title)}`, '', md(opts.subtitle), ''];
  const total = opts.totalCount ?? entries.length;
  if (entries.length === 0) out.push('No recorded changes.', '');
  else if (total > entries.length) out.push(`Showing the latest ${entries.length} of ${total} changes.`, '');
  else out.push(`${entries.length} change${entries.length === 1 ? '' : 's'}.`, '');
  for (const e of entries) {
    const what = opts.perInsight ? ` ${md(e.activity)} “${md(entryName(e))}”` : ` ${md(e.activity)}`;
    out.push(`## ${activityTime(e.created_at)} — ${md(activityActor(e))}${what}`, '');
    const changes = (e.detail?.changes ?? []).filter((c) => !(c.action === 'created' && !c.field));
    for (const c of changes) out.push(`- ${md(activityChange(c))}`);
    if (changes.length) out.push('');
  }
  return out.join('\n');
}
