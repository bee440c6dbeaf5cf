/**
 * The registry of the platforms Insight Explorer reads: the extension, the CLI and the sandbox all
 * read this list. A new platform is one folder under src/core/sources/<kind> whose platform.ts
 * implements the contract (src/core/platform.ts), its kind in the SourceKind union, and one line
 * here; nothing else lists the platforms by hand.
 */
import type { Platform, SourceKind } from './platform';
import { canvasPlatform } from './sources/canvas/platform';
import { echo360Platform } from './sources/echo360/platform';
import { posthogPlatform } from './sources/posthog/platform';
import { studioPlatform } from './sources/studio/platform';

export type { PlatformInfo, SourceKind } from './platform';

export const PLATFORMS: readonly Platform[] = [posthogPlatform, echo360Platform, canvasPlatform, studioPlatform] as Platform<never>[];

/** The registry entry of a kind (every SourceKind has one). */
export function platformOf(kind: SourceKind): Platform {
  const p = PLATFORMS.find((x) => x.kind === kind);
  if (!p) throw new Error(`no platform ${String(kind)} in the registry`);
  return p;
}

/** Every environment variable that carries a secret, for the CLI's redactor. */
export function secretEnvNames(): string[] {
  return PLATFORMS.flatMap((p) => p.secretEnv);
}
