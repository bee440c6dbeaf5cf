/**
 * The platforms Insight Explorer reads, as one registry the extension, the CLI and the sandbox all
 * read: what a platform is called, its icon, where its API's permission docs are, and which
 * environment variables carry its secrets for the CLI. A new platform adds one entry here (and
 * its folder under src/core/sources/<kind>); nothing else lists the platforms by hand.
 *
 * Facts only, no vscode: the VS Code layer adds its prompts and tree per platform (src/vscode/<kind>).
 */
export type SourceKind = 'posthog' | 'echo360' | 'canvas' | 'studio';

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

export const PLATFORMS: readonly PlatformInfo[] = [
  {
    kind: 'posthog',
    label: 'PostHog',
    detail: 'Saved insights of a project (US/EU Cloud or self-hosted), personal API key',
    icon: 'graph-line',
    permissionDocs: 'https://posthog.com/docs/api#personal-api-keys',
    secretEnv: ['POSTHOG_API_KEY'],
  },
  {
    kind: 'echo360',
    label: 'Echo360 Reporting',
    detail: 'Report requests (views, sessions, polling…) of an Echo360 institution, API client id + secret',
    icon: 'device-camera-video',
    permissionDocs: 'https://support.echo360.com/hc/en-us/articles/360042030652',
    secretEnv: ['ECHO360_CLIENT_ID', 'ECHO360_CLIENT_SECRET'],
  },
  {
    kind: 'canvas',
    label: 'Canvas LMS Analytics',
    detail: 'Account, course and student analytics of a Canvas instance, access token',
    icon: 'mortar-board',
    permissionDocs: 'https://canvas.instructure.com/doc/api/analytics.html',
    secretEnv: ['CANVAS_TOKEN'],
  },
  {
    kind: 'studio',
    label: 'Canvas Studio',
    detail: 'Media insights (views, viewers, completion) of Studio perspectives, API token',
    icon: 'device-camera-video',
    permissionDocs: 'https://developerdocs.instructure.com/services/studio/api-reference/insights',
    secretEnv: ['STUDIO_TOKEN', 'STUDIO_REFRESH_TOKEN', 'STUDIO_CLIENT_ID', 'STUDIO_CLIENT_SECRET'],
  },
];

/** The registry entry of a kind (every SourceKind has one). */
export function platformOf(kind: SourceKind): PlatformInfo {
  const p = PLATFORMS.find((x) => x.kind === kind);
  if (!p) throw new Error(`no platform ${String(kind)} in the registry`);
  return p;
}

/** Every environment variable that carries a secret, for the CLI's redactor. */
export function secretEnvNames(): string[] {
  return PLATFORMS.flatMap((p) => p.secretEnv);
}
