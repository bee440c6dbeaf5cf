/**
 * The non-secret part of a Canvas source: which accounts (with the terms picked under each) and
 * which courses (with the student-summaries sort) the tree shows. Kept in the source's `options`
 * (globalState), never in settings: course ids of a private instance are nobody else's business.
 *
 * Stored as two JSON strings (`accounts`, `courses`) because `options` holds flat values only.
 * Read tolerantly: a plain "self, 2" or "101,102" (what a sandbox file or a hand edit gives) and
 * a string array are accepted too, so a source never fails to load over its own options.
 */
import { StudentSummarySort, isStudentSummarySort } from './types';
import type { SourceConfig } from '../../platform';

export interface CanvasTermRef {
  id: string;
  name?: string;
}

export interface CanvasAccountRef {
  id: string;
  name?: string;
  terms: CanvasTermRef[];
}

export interface CanvasCourseRef {
  id: string;
  name?: string;
  sort?: StudentSummarySort;
}

export interface CanvasSourceOptions {
  accounts: CanvasAccountRef[];
  courses: CanvasCourseRef[];
}

export const DEFAULT_ACCOUNT = 'self';

type OptionValue = SourceConfig['options'][string];

function asList(v: OptionValue): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v !== 'string' || v.trim() === '') return [];
  const s = v.trim();
  if (s.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(s);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      /* fall through to the plain list */
    }
  }
  return s.split(/[,\s]+/).filter(Boolean);
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;

function uniqueBy<T extends { id: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.id) && !!seen.add(i.id));
}

export function readCanvasOptions(source: Pick<SourceConfig, 'options'>): CanvasSourceOptions {
  const accounts = uniqueBy(
    asList(source.options.accounts).flatMap((a): CanvasAccountRef[] => {
      if (typeof a !== 'object' || a === null) {
        const id = str(a);
        return id ? [{ id, terms: [] }] : [];
      }
      const o = a as Record<string, unknown>;
      const id = str(o.id);
      if (!id) return [];
      const terms = uniqueBy(
        (Array.isArray(o.terms) ? o.terms : []).flatMap((t): CanvasTermRef[] => {
          const tid = typeof t === 'object' && t !== null ? str((t as Record<string, unknown>).id) : str(t);
          return tid ? [{ id: tid, name: typeof t === 'object' && t !== null ? str((t as Record<string, unknown>).name) : undefined }] : [];
        }),
      );
      return [{ id, name: str(o.name), terms }];
    }),
  );
  const courses = uniqueBy(
    asList(source.options.courses).flatMap((c): CanvasCourseRef[] => {
      if (typeof c !== 'object' || c === null) {
        const id = str(c);
        return id ? [{ id }] : [];
      }
      const o = c as Record<string, unknown>;
      const id = str(o.id);
      if (!id) return [];
      const sort = str(o.sort);
      return [{ id, name: str(o.name), sort: sort && isStudentSummarySort(sort) ? sort : undefined }];
    }),
  );
  // A source with no account at all still gets `self`: it is what every token can try first.
  // An empty list stored on purpose ("[]") is respected.
  const stored = source.options.accounts;
  if (accounts.length === 0 && (stored === undefined || stored === '')) accounts.push({ id: DEFAULT_ACCOUNT, terms: [] });
  return { accounts, courses };
}

/** The options patch that stores `opts` (merged by SourceStore.update with the other options). */
export function canvasOptionsPatch(opts: CanvasSourceOptions): Record<string, string> {
  const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return {
    accounts: JSON.stringify(opts.accounts.map((a) => clean({ ...a, terms: a.terms.map(clean) }))),
    courses: JSON.stringify(opts.courses.map(clean)),
  };
}

/** "self", "Account 2", or the name Canvas gave. */
export function accountLabel(a: CanvasAccountRef): string {
  if (a.name) return a.name;
  return a.id === DEFAULT_ACCOUNT ? 'Account (self)' : `Account ${a.id}`;
}

export function courseLabel(c: CanvasCourseRef): string {
  return c.name ?? `Course ${c.id}`;
}

export function termLabel(t: CanvasTermRef): string {
  return t.name ? `Term ${t.id} · ${t.name}` : `Term ${t.id}`;
}

/** "name", "page views, descending" … for the tree description. */
export function sortLabel(sort: StudentSummarySort | undefined): string {
  const s = sort ?? 'name';
  const m = /^(name|score|participations|page_views)(?:_(ascending|descending))?$/.exec(s);
  if (!m) return s;
  return `${m[1].replace('_', ' ')}${m[2] ? `, ${m[2]}` : ''}`;
}
