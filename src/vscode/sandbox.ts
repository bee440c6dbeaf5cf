import * as fs from 'node:fs';
import { Services } from './services';
import { SourceKind } from './sources/sourceStore';

interface SandboxSource {
  kind: SourceKind;
  label: string;
  baseUrl: string;
  secret: string;
  [option: string]: unknown;
}

/**
 * `npm start` runs local fake servers and points INSIGHT_EXPLORER_SANDBOX at a JSON file listing
 * them, so a newcomer sees working sources without any account. Seeds only sources whose label is
 * not present yet, never touches real ones, and does nothing when the variable is unset.
 */
export async function seedSandbox(services: Services, file = process.env.INSIGHT_EXPLORER_SANDBOX): Promise<number> {
  if (!file) return 0;
  let spec: { sources?: SandboxSource[] };
  try {
    spec = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (e) {
    services.log.warn(`Sandbox file unreadable: ${e instanceof Error ? e.message : String(e)}`);
    return 0;
  }
  let added = 0;
  for (const s of spec.sources ?? []) {
    if (!services.kinds.has(s.kind)) continue;
    const existing = services.store.list().find((x) => x.label === s.label && x.kind === s.kind);
    const { kind, label, baseUrl, secret, ...rest } = s;
    const options = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, typeof v === 'number' ? String(v) : (v as string | boolean)]));
    if (existing) {
      // Fake servers get a new port per run: keep the source, follow the server.
      if (existing.baseUrl !== baseUrl) await services.store.update(existing.id, { baseUrl, options });
      await services.store.setSecret(existing.id, secret);
      continue;
    }
    await services.store.add({ kind, label, baseUrl, options }, secret);
    added++;
  }
  if (added) services.log.info(`Sandbox: added ${added} source(s).`);
  return added;
}
