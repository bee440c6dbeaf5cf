/**
 * The core's prompt flows and sentences translate through @vscode/l10n (README "Localization"):
 * with a bundle loaded — the extension loads VS Code's at activation — a flow run in plain Node
 * shows the translations, placeholders filled; a message the bundle lacks stays English; without a
 * bundle (the CLI) everything is English.
 */
import * as assert from 'node:assert/strict';
import * as l10n from '@vscode/l10n';
import type { SourceConfig } from '../../../src/core/platform';
import { englishCounts } from '../../../src/core/plural';
import { canvasPlatform } from '../../../src/core/sources/canvas/platform';
import { echo360Platform } from '../../../src/core/sources/echo360/platform';
import type { PostHogClient } from '../../../src/core/sources/posthog/client';
import { posthogPlatform } from '../../../src/core/sources/posthog/platform';
import { studioPlatform } from '../../../src/core/sources/studio/platform';
import { TestUserInput } from '../kit/testUserInput';

const ADDRESS = 'Address of your Canvas instance (the page URL you use in the browser is fine)';
const TOKEN = 'Canvas access token (stored in VS Code SecretStorage, never in settings)';

/** A pseudo-translation, as a bundle.l10n.<language>.json holds it: English message → translation. */
const PSEUDO: Record<string, string> = {
  [ADDRESS]: '[Àďďŕéšš óƒ ýóúŕ Çàñvàš íñšťàñçé]',
  'A name for this source': '[À ñàɱé ƒóŕ ťĥíš šóúŕçé]',
  'Enter a name.': '[Éñťéŕ à ñàɱé.]',
  'Set Credentials: {0}': '[Šéť Çŕéďéñťíàľš: {0}]',
  'No renewal': '[Ñó ŕéñéŵàľ]',
  'Where is your institution hosted on Echo360?': '[Ŵĥéŕé íš ýóúŕ íñšťíťúťíóñ ĥóšťéď óñ Éçĥó360?]',
  Australia: '[Àúšťŕàľíà]',
  '{0} · project {1}': '[{0} · ƥŕóʲéçť {1}]',
  'Connected to PostHog project {0}: {1}.': '[Çóññéçťéď ťó ƤóšťĤóǥ ƥŕóʲéçť {0}: {1}.]',
};

const posthogSource: SourceConfig = {
  id: 'src1',
  kind: 'posthog',
  label: 'PostHog',
  baseUrl: 'https://eu.posthog.com',
  options: { projectId: '4242' },
  createdAt: '2026-12-01T00:00:00Z',
};

/** Canvas Add Source: the address, an empty name refused then a name, the token. */
async function addCanvas(refused: RegExp): Promise<TestUserInput> {
  const flow = new TestUserInput(['https://school.instructure.com', { type: ' ', refused }, 'Biology', '1234~abcdefghijklmnopqrstuvwxyz']);
  const added = await canvasPlatform.add(flow, 'Add Source', 2);
  flow.assertDone();
  assert.equal(added?.input.label, 'Biology');
  return flow;
}

describe('platform flows: translated through @vscode/l10n', () => {
  // Back to no translation: the next test (and file) sees English.
  afterEach(() => l10n.config({ contents: {} }));

  it('a prompt flow shows the loaded translations; a message the bundle lacks stays English', async () => {
    l10n.config({ contents: PSEUDO });
    const flow = await addCanvas(/^\[Éñťéŕ à ñàɱé\.\]$/);
    assert.deepEqual(
      flow.shown.map((p) => p.prompt),
      [PSEUDO[ADDRESS], PSEUDO['A name for this source'], TOKEN],
    );
  });

  it('fills the placeholders of a translated title; translated pick labels are what is picked', async () => {
    l10n.config({ contents: PSEUDO });
    const ui = new TestUserInput(['access-token-1', { pick: '[Ñó ŕéñéŵàľ]' }]);
    const secret = await studioPlatform.promptSecret(ui, { label: 'Biology' });
    ui.assertDone();
    assert.ok(secret);
    assert.deepEqual(
      ui.shown.map((p) => p.title),
      ['[Šéť Çŕéďéñťíàľš: Biology]', '[Šéť Çŕéďéñťíàľš: Biology]'],
    );
    assert.deepEqual(ui.shown[1].labels, ['[Ñó ŕéñéŵàľ]', 'Renew automatically…']);

    // Labels made when shown, not when the module loaded: Echo360's regions too.
    const region = new TestUserInput([{ pick: '[Àúšťŕàľíà]' }, 'Echo AU', 'client-1', 'secret-abcdef']);
    const added = await echo360Platform.add(region, 'Add Source', 2);
    region.assertDone();
    assert.equal(region.shown[0].prompt, PSEUDO['Where is your institution hosted on Echo360?']);
    assert.equal(added?.input.options.region, 'au');
  });

  it('translates the description and the connection sentence', async () => {
    l10n.config({ contents: PSEUDO });
    assert.equal(posthogPlatform.describe(posthogSource, englishCounts), '[eu.posthog.com · ƥŕóʲéçť 4242]');
    // The counted noun comes in already localized (VS Code's counts; English ones here).
    const client = { testConnection: async () => ({ count: 3 }) } as unknown as PostHogClient;
    assert.equal(
      await posthogPlatform.testConnection(client, posthogSource, englishCounts),
      '[Çóññéçťéď ťó ƤóšťĤóǥ ƥŕóʲéçť 4242: 3 saved insights.]',
    );
  });

  it('without a bundle (the CLI, English VS Code) the flows are English', async () => {
    const flow = await addCanvas(/^Enter a name\.$/);
    assert.deepEqual(
      flow.shown.map((p) => p.prompt),
      [ADDRESS, 'A name for this source', TOKEN],
    );
    assert.equal(posthogPlatform.describe(posthogSource, englishCounts), 'eu.posthog.com · project 4242');
  });
});
