/**
 * Studio inputs people type or paste: the site (root or API root) and perspective ids.
 *
 * The API lives at `https://<institution>.instructuremedia.com/api/public/v1`; people paste either
 * that or the site root, so both normalise to the same pair. Perspectives are UUIDs; people copy
 * them out of Studio page URLs, so a URL holding the UUID is accepted and the UUID extracted.
 * Validation happens before any request: a typo never reaches the server (CLI.md: exit 2).
 */
import { InsightError } from '../../errors';
import { parseBaseUrl } from '../../url';

export const STUDIO_API_PREFIX = '/api/public/v1';

const UUID_EXACT = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const UUID_ANY = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const UUID_AFTER_PERSPECTIVES = /perspectives?\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?![0-9a-f-])/i;

/** A perspective as the tree shows it. */
export interface StudioPerspective {
  uuid: string;
  label?: string;
}

export function isUuid(s: string): boolean {
  return UUID_EXACT.test(s.trim()) && !s.includes('{') === !s.includes('}');
}

/**
 * The perspective UUID (lower case) from a bare UUID or a pasted URL/path containing one. Throws
 * a usage error for anything else, and when a URL holds several UUIDs none of which follows
 * "perspectives/".
 */
export function parsePerspectiveId(input: string): string {
  const s = input.trim();
  const exact = UUID_EXACT.exec(s);
  if (exact && isUuid(s)) return exact[1].toLowerCase();
  const shown = s.length > 60 ? `${s.slice(0, 57)}…` : s;
  if (/[/?#]/.test(s)) {
    const after = UUID_AFTER_PERSPECTIVES.exec(s);
    if (after) return after[1].toLowerCase();
    const found = [...new Set((s.match(UUID_ANY) ?? []).map((u) => u.toLowerCase()))];
    if (found.length === 1) return found[0];
    if (found.length > 1) {
      throw new InsightError('usage', `"${shown}" contains ${found.length} different UUIDs.`, { next: "Paste the perspective's UUID itself." });
    }
  }
  throw new InsightError('usage', `Perspective "${shown}" is not a UUID.`, {
    next: "Copy the perspective's UUID (8-4-4-4-12 hexadecimal digits) from the Studio Insights page URL.",
  });
}

/** Studio role filter: passed through as sent (role values are unconfirmed upstream), but never empty or multi-line. */
export function parseRole(role: string | undefined): string | undefined {
  if (role === undefined) return undefined;
  const r = role.trim();
  if (r === '' || /[\u0000-\u001f\u007f]/.test(r) || r.length > 100) {
    throw new InsightError('usage', `Invalid role "${r.slice(0, 40)}".`, { next: 'Give a role name such as student, or leave --role out.' });
  }
  return r;
}

/**
 * Site root and API root from either form:
 * `https://x.instructuremedia.com`, `…/`, `…/api/public/v1`, `…/api/public/v1/perspectives/…`.
 * Any other path (a pasted Studio page URL) is dropped: Studio serves its API at the site root.
 */
export function studioUrls(input: string | URL): { site: URL; api: URL } {
  const url = parseBaseUrl(typeof input === 'string' ? input : input.toString(), 'Studio URL');
  const i = url.pathname.indexOf('/api/public');
  const site = new URL(url.origin + (i > 0 ? url.pathname.slice(0, i) : ''));
  const api = new URL(site.toString().replace(/\/+$/, '') + STUDIO_API_PREFIX);
  return { site, api };
}
