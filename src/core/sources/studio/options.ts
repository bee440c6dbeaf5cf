/**
 * What a Canvas Studio source keeps:
 * - in `options` (non-secret): the perspectives the user added, each with a label and the role
 *   filter of its two insights, as one JSON string (`options` holds flat values only);
 * - in SecretStorage (one secret per source): the access token, or a JSON bundle with the refresh
 *   token and the OAuth client when the user set up renewal. Renewed tokens are written back to
 *   the same secret.
 */
import { type StudioInsight, type StudioRefresh } from './client';
import { parsePerspectiveId } from './perspective';
import type { SourceConfig } from '../../platform';

export interface StudioPerspectiveRef {
  uuid: string;
  label: string;
  /** Role filter per insight; absent = all roles aggregated. */
  roles?: Partial<Record<StudioInsight, string>>;
}

export function readPerspectives(source: Pick<SourceConfig, 'options'>): StudioPerspectiveRef[] {
  const raw = source.options.perspectives;
  let list: unknown[] = [];
  if (Array.isArray(raw)) list = raw;
  else if (typeof raw === 'string' && raw.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) list = parsed;
    } catch {
      // A hand-written "uuid, uuid" list (sandbox files, old versions): keep what parses.
      list = raw.split(/[,\s]+/).filter(Boolean);
    }
  }
  const out: StudioPerspectiveRef[] = [];
  for (const item of list) {
    const o = (typeof item === 'object' && item !== null ? item : { uuid: item }) as Record<string, unknown>;
    let uuid: string;
    try {
      uuid = parsePerspectiveId(String(o.uuid ?? ''));
    } catch {
      continue;
    }
    if (out.some((p) => p.uuid === uuid)) continue;
    const roles: Partial<Record<StudioInsight, string>> = {};
    const r = (o.roles ?? {}) as Record<string, unknown>;
    for (const k of ['overview', 'users'] as const)
      if (typeof r[k] === 'string' && (r[k] as string).trim()) roles[k] = (r[k] as string).trim();
    out.push({
      uuid,
      label: typeof o.label === 'string' && o.label.trim() ? o.label.trim() : `Perspective ${uuid.slice(0, 8)}`,
      ...(Object.keys(roles).length ? { roles } : {}),
    });
  }
  return out;
}

export function perspectivesPatch(list: readonly StudioPerspectiveRef[]): Record<string, string> {
  return { perspectives: JSON.stringify(list) };
}

/** The stored secret: a bare access token, or the bundle with renewal. */
export interface StudioSecret {
  accessToken: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** Token endpoint, when not `{site}/api/public/oauth/token`. */
  tokenUrl?: string;
}

export function parseStudioSecret(secret: string): StudioSecret {
  const s = secret.trim();
  if (s.startsWith('{')) {
    try {
      const o = JSON.parse(s) as Record<string, unknown>;
      const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
      if (str(o.accessToken)) {
        return {
          accessToken: o.accessToken as string,
          refreshToken: str(o.refreshToken),
          clientId: str(o.clientId),
          clientSecret: str(o.clientSecret),
          tokenUrl: str(o.tokenUrl),
        };
      }
    } catch {
      /* not a bundle: a token that happens to start with "{" */
    }
  }
  return { accessToken: s };
}

/** Always JSON, so reading never has to guess between a token and a bundle written by us. */
export function serializeStudioSecret(s: StudioSecret): string {
  return JSON.stringify(Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined && v !== '')));
}

export function refreshOf(s: StudioSecret): StudioRefresh | undefined {
  if (!s.refreshToken || !s.clientId || !s.clientSecret) return undefined;
  return { refreshToken: s.refreshToken, clientId: s.clientId, clientSecret: s.clientSecret, tokenUrl: s.tokenUrl };
}

export function roleLabel(role: string | undefined): string {
  return role ? `role: ${role}` : 'all roles';
}
