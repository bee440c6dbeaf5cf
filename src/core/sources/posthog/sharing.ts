/**
 * PostHog's sharing configuration of one insight (`…/insights/:id/sharing/`), shapes from
 * PostHog's SharingConfigurationSerializer. A share password's plain text comes back exactly once,
 * in the answer to its creation: nothing here keeps it.
 */

export interface SharePassword {
  id: string | number;
  created_at?: string;
  note?: string | null;
  created_by_email?: string | null;
  is_active?: boolean;
}

export interface SharingState {
  created_at?: string | null;
  enabled: boolean;
  access_token: string | null;
  settings?: Record<string, unknown> | null;
  password_required?: boolean;
  share_passwords?: SharePassword[];
}

export interface SharingPatch {
  enabled?: boolean;
  password_required?: boolean;
  settings?: Record<string, unknown> | null;
}

/** The answer to creating a share password: `password` is the only time the plain text exists. */
export interface CreatedSharePassword extends SharePassword {
  password: string;
}

/** The public link PostHog serves for a sharing configuration: `{base}/shared/{access_token}`. */
export function shareUrl(baseUrl: string, accessToken: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/shared/${encodeURIComponent(accessToken)}`;
}

/** PostHog requires at least 8 characters for a share password it did not generate itself. */
export function validateSharePassword(raw: string): string | undefined {
  if (raw === '') return undefined;
  return raw.length < 8 ? 'A share password needs at least 8 characters (or leave it empty to let PostHog generate one).' : undefined;
}
