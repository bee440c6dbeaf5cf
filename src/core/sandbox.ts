import * as fs from 'node:fs';
import type { Logger } from './log';
import type { SourceConfig } from './platform';
import { PLATFORMS } from './platforms';

interface SandboxSource {
  kind: SourceConfig['kind'];
  label: string;
  baseUrl: string;
  secret: string;
  [option: string]: unknown;
}

/** What seeding needs of the extension's source store. */
export interface SandboxStore {
  list(): SourceConfig[];
  add(input: Omit<SourceConfig, 'id' | 'createdAt'>, secret?: string): Promise<SourceConfig>;
  update(id: string, patch: Partial<Omit<SourceConfig, 'id' | 'kind' | 'createdAt'>>): Promise<SourceConfig>;
  setSecret(id: string, secret: string): Promise<void>;
}

/**
 * `npm start` runs local fake servers and points INSIGHT_EXPLORER_SANDBOX at a JSON file listing
 * them, so a newcomer sees working sources without any account. Seeds only sources of a platform
 * in the registry whose label is not present yet, never touches real ones, and does nothing when
 * the variable is unset.
 */
export async function seedSandbox(store: SandboxStore, log: Logger, file = process.env.INSIGHT_EXPLORER_SANDBOX): Promise<number> {
  if (!file) return 0;
  let spec: { sources?: SandboxSource[] };
  try {
    spec = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (e) {
    log.warn(`Sandbox file unreadable: ${e instanceof Error ? e.message : String(e)}`);
    return 0;
  }
  let added = 0;
  for (const s of spec.sources ?? []) {
    if (!PLATFORMS.some((p) => p.kind === s.kind)) continue;
    const existing = store.list().find((x) => x.label === s.label && x.kind === s.kind);
    const { kind, label, baseUrl, secret, ...rest } = s;
    const options = Object.fromEntries(
      Object.entries(rest).map(([k, v]) => [k, typeof v === 'number' ? String(v) : (v as string | boolean)]),
    );
    if (existing) {
      // Fake servers get a new port per run: keep the source, follow the server.
      if (existing.baseUrl !== baseUrl) await store.update(existing.id, { baseUrl, options });
      await store.setSecret(existing.id, secret);
      continue;
    }
    await store.add({ kind, label, baseUrl, options }, secret);
    added++;
  }
  if (added) log.info(`Sandbox: added ${added} source(s).`);
  return added;
}
