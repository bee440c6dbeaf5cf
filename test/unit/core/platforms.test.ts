/**
 * The platform registry (src/core/platforms.ts) is what the CLI redacts and the extension shows:
 * every environment variable the CLI reads a secret from must be in it, or a secret set in the
 * environment could be echoed unredacted by --verbose or an error message.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PLATFORMS, platformOf, secretEnvNames } from '../../../src/core/platforms';

const root = path.resolve(__dirname, '..', '..', '..', '..');

/** Every `process.env.NAME` and `envSecret('NAME')` in the CLI's sources, read as text. */
function envNamesReadByCli(): string[] {
  const dir = path.join(root, 'src', 'cli');
  const files = [...fs.readdirSync(dir).map((f) => path.join(dir, f)), path.join(root, 'src', 'cli.ts')];
  const names = new Set<string>();
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/process\.env\.([A-Z0-9_]+)|envSecret\('([A-Z0-9_]+)'/g)) names.add(m[1] ?? m[2]);
  }
  return [...names].sort();
}

describe('platform registry', () => {
  it('names every secret environment variable the CLI reads, so all of them are redacted', () => {
    const read = envNamesReadByCli();
    assert.ok(read.length >= 6, `found the CLI's secret variables: ${read.join(', ')}`);
    const registered = new Set(secretEnvNames());
    assert.deepEqual(
      read.filter((n) => !registered.has(n)),
      [],
      'every variable the CLI reads is in src/core/platforms.ts',
    );
  });

  it('has one entry per kind with a label, an icon and an https permission-docs link', () => {
    assert.deepEqual(PLATFORMS.map((p) => p.kind).sort(), ['canvas', 'echo360', 'posthog', 'studio']);
    for (const p of PLATFORMS) {
      assert.equal(platformOf(p.kind), p);
      assert.ok(p.label && p.detail && /^[a-z-]+$/.test(p.icon), p.kind);
      assert.match(p.permissionDocs, /^https:\/\//);
    }
  });
});
