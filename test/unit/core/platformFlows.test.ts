/**
 * The platform contract (src/core/platform.ts) run in plain Node: every platform's Add Source,
 * Edit Source and Set Credentials flow driven through a scripted UserInput (what the user sees at
 * each step, Back, refusals, cancel), and its client + connection test over real HTTP against the
 * platform's fake. The same flows run in VS Code through quick picks (src/vscode/prompts.ts).
 */
import * as assert from 'node:assert/strict';
import Papa from 'papaparse';
import { InsightError } from '../../../src/core/errors';
import { Redactor } from '../../../src/core/log';
import type { ClientDeps, SourceConfig } from '../../../src/core/platform';
import { secretPartsOf } from '../../../src/core/platform';
import { PLATFORMS, platformOf } from '../../../src/core/platforms';
import { englishCounts } from '../../../src/core/plural';
import { readCanvasOptions } from '../../../src/core/sources/canvas/options';
import { canvasPlatform } from '../../../src/core/sources/canvas/platform';
import { echo360Platform } from '../../../src/core/sources/echo360/platform';
import { posthogPlatform } from '../../../src/core/sources/posthog/platform';
import { parseStudioSecret, serializeStudioSecret } from '../../../src/core/sources/studio/options';
import { studioPlatform } from '../../../src/core/sources/studio/platform';
import { startCanvasFake } from '../../fakes/canvas';
import { startEcho360Fake } from '../../fakes/echo360';
import { startPostHogFake } from '../../fakes/posthog';
import { startStudioFake } from '../../fakes/studio';
import { recorder } from '../kit/recordKit';
import { BACK, DISMISS, TestUserInput } from '../kit/testUserInput';

function deps(extra: Partial<ClientDeps> = {}): ClientDeps & { made: string[] } {
  const state = new Map<string, unknown>();
  const made: string[] = [];
  return {
    logger: recorder(),
    redactor: new Redactor(),
    limits: {},
    shared: <T>(key: string, make: () => T): T => {
      if (!state.has(key)) {
        made.push(key);
        state.set(key, make());
      }
      return state.get(key) as T;
    },
    made,
    ...extra,
  };
}

const sourceOf = (s: Omit<SourceConfig, 'id' | 'createdAt'>): SourceConfig => ({ ...s, id: 'src1', createdAt: '2026-12-01T00:00:00Z' });

const steps = (ui: TestUserInput) => ui.shown.map((p) => `${p.step ?? '-'}/${p.totalSteps ?? '-'} ${p.prompt}`);

describe('platform contract: prompt flows and clients', function () {
  this.timeout(20_000);

  it('every registered platform implements the whole contract', () => {
    for (const p of PLATFORMS) {
      for (const fn of ['client', 'testConnection', 'describe', 'add', 'edit', 'promptSecret'] as const) assert.equal(typeof p[fn], 'function', `${p.kind}.${fn}`);
      assert.equal(platformOf(p.kind), p);
    }
  });

  describe('Canvas', () => {
    it('Add Source: a pasted course page is cut back to the instance, Back keeps it, a short token is refused', async () => {
      const flow = new TestUserInput([
        'https://school.instructure.com/courses/4021/analytics',
        BACK,
        'https://school.instructure.com/courses/4021/analytics',
        { type: '  ', refused: /Enter a name/ },
        'Biology dept',
        { type: 'short', refused: /Paste a Canvas access token/ },
        '1234~abcdefghijklmnopqrstuvwxyz',
      ]);
      const added = await canvasPlatform.add(flow, 'Add Source', 2);
      flow.assertDone();
      assert.deepEqual(steps(flow), [
        '2/4 Address of your Canvas instance (the page URL you use in the browser is fine)',
        '3/4 A name for this source',
        '2/4 Address of your Canvas instance (the page URL you use in the browser is fine)',
        '3/4 A name for this source',
        '4/4 Canvas access token (stored in VS Code SecretStorage, never in settings)',
      ]);
      // Back to the address keeps what was typed; the name is suggested from the host.
      assert.equal(flow.shown[2].value, 'https://school.instructure.com');
      assert.equal(flow.shown[1].value, 'Canvas school.instructure.com');
      assert.equal(flow.shown[4].password, true);
      assert.ok(added);
      assert.equal(added.input.baseUrl, 'https://school.instructure.com');
      assert.equal(added.input.label, 'Biology dept');
      assert.equal(added.secret, '1234~abcdefghijklmnopqrstuvwxyz');
      assert.deepEqual(readCanvasOptions(added.input).accounts.map((a) => a.id), ['self']);
    });

    it('Edit Source: changing the course ids keeps what is known about the ones that stay', async () => {
      const source = sourceOf({ kind: 'canvas', label: 'C', baseUrl: 'https://school.instructure.com', options: { courses: JSON.stringify([{ id: '101', name: 'BIO 101', sort: 'page_views' }]) } });
      const ui = new TestUserInput([{ pick: 'Course ids' }, { type: '101, /x', refused: /not a Canvas id/ }, '101, 202 202']);
      const patch = await canvasPlatform.edit(ui, source);
      ui.assertDone();
      assert.equal(ui.shown[1].value, '101');
      const courses = readCanvasOptions({ options: { ...source.options, ...patch?.options } }).courses;
      assert.deepEqual(courses.map((c) => [c.id, c.name, c.sort]), [['101', 'BIO 101', 'page_views'], ['202', undefined, undefined]]);
    });

    it('client + connection test against the fake; a wrong token is an auth error', async () => {
      const fake = await startCanvasFake();
      try {
        const source = sourceOf({ kind: 'canvas', label: 'Fake', baseUrl: fake.url, options: {} });
        const client = canvasPlatform.client(source, fake.token, deps());
        assert.match(await canvasPlatform.testConnection(client, source, englishCounts), /^Connected to Canvas at 127\.0\.0\.1:\d+: the token's user is enrolled in \d+ courses?\.$/);
        const wrong = canvasPlatform.client(source, 'wrong-token-0123456789', deps());
        await assert.rejects(canvasPlatform.testConnection(wrong, source, englishCounts), (e: unknown) => e instanceof InsightError && e.kind === 'auth');
        assert.throws(() => canvasPlatform.client(source, undefined, deps()), /No access token stored for “Fake”.*Set Credentials/);
        assert.equal(canvasPlatform.describe({ ...source, options: { courses: '101,102' } }, englishCounts), `127.0.0.1:${fake.port} · 1 account · 2 courses`);
      } finally {
        await fake.close();
      }
    });
  });

  describe('PostHog', () => {
    it('Add Source: EU Cloud, an environment id (letters refused), the suggested name, the key', async () => {
      const flow = new TestUserInput([
        { pick: 'US Cloud' },
        { pick: 'Project ID' },
        BACK,
        { pick: 'EU Cloud' },
        { pick: 'Environment ID' },
        { type: 'abc', refused: /is a number/ },
        '4242',
        'PostHog eu.posthog.com · 4242',
        'phx_abcdefghijk',
      ]);
      const added = await posthogPlatform.add(flow, 'Add Source', 2);
      flow.assertDone();
      // Back from the id returns to the pick with the cloud chosen before.
      assert.equal(flow.shown[3].value, 'US Cloud');
      assert.equal(flow.shown[6].value, 'PostHog eu.posthog.com · 4242');
      assert.deepEqual(added, {
        input: { kind: 'posthog', label: 'PostHog eu.posthog.com · 4242', baseUrl: 'https://eu.posthog.com', options: { projectId: '4242', environment: true } },
        secret: 'phx_abcdefghijk',
      });
    });

    it('Add Source: a self-hosted URL is checked and normalized', async () => {
      const ui = new TestUserInput([{ pick: 'Self-hosted…' }, { type: 'ftp://x', refused: /./ }, 'https://posthog.example.edu/', { pick: 'Project ID' }, '7', 'Mine', 'phx_abcdefghijk']);
      const added = await posthogPlatform.add(ui, 'Add Source', 1);
      ui.assertDone();
      assert.equal(added?.input.baseUrl, 'https://posthog.example.edu');
    });

    it('client + connection test against the fake, with the project id the source names', async () => {
      const fake = await startPostHogFake();
      try {
        const source = sourceOf({ kind: 'posthog', label: 'Fake', baseUrl: fake.url, options: { projectId: String(fake.projectId) } });
        const d = deps({ setting: (k) => (k === 'posthog.pollIntervalMs' ? 5 : undefined) });
        const client = posthogPlatform.client(source, fake.apiKey, d);
        assert.match(await posthogPlatform.testConnection(client, source, englishCounts), new RegExp(`^Connected to PostHog project ${fake.projectId}: \\d+ saved insights?\\.$`));
        assert.ok(fake.requests.some((r) => r.path.startsWith(`/api/projects/${fake.projectId}/`)), 'asked the project named by the source');
        // The key is redacted from everything the client logs.
        assert.equal(d.redactor.redact(`key ${fake.apiKey}`), 'key «redacted»');
      } finally {
        await fake.close();
      }
    });
  });

  describe('Echo360', () => {
    it('Add Source: region, name, client id and secret become one JSON secret; cancel at any step adds nothing', async () => {
      const ui = new TestUserInput([{ pick: 'UK' }, 'Echo UK', 'client-1', 'secret-abcdef']);
      const added = await echo360Platform.add(ui, 'Add Source', 2);
      ui.assertDone();
      assert.deepEqual(steps(ui).map((s) => s.split(' ')[0]), ['2/5', '3/5', '4/5', '5/5']);
      assert.equal(added?.input.options.region, 'uk');
      assert.deepEqual(JSON.parse(added!.secret), { clientId: 'client-1', clientSecret: 'secret-abcdef' });
      assert.deepEqual(secretPartsOf(echo360Platform, added!.secret), [added!.secret, 'secret-abcdef']);
      for (let stop = 0; stop < 4; stop++) {
        const answers = [{ pick: 'US' }, 'n', 'c', 's'].slice(0, stop);
        const cancelled = new TestUserInput([...answers, DISMISS]);
        assert.equal(await echo360Platform.add(cancelled, 'Add Source', 2), undefined, `dismissed at step ${stop + 1}`);
      }
    });

    it('clients of one institution share one rate limiter; the connection test lists the reports', async () => {
      const fake = await startEcho360Fake();
      try {
        const d = deps();
        const a = sourceOf({ kind: 'echo360', label: 'A', baseUrl: fake.url, options: { region: 'custom' } });
        const secret = JSON.stringify({ clientId: fake.clientId, clientSecret: fake.clientSecret });
        const client = echo360Platform.client(a, secret, d);
        echo360Platform.client({ ...a, id: 'src2', label: 'B' }, secret, d);
        assert.deepEqual(d.made, [`echo360.limiter:${new URL(fake.url).host}`]);
        assert.match(await echo360Platform.testConnection(client, a, englishCounts), /^Connected to Echo360 at 127\.0\.0\.1:\d+: \d+ reports? available\.$/);
        assert.throws(() => echo360Platform.client(a, 'not json', d), /No Echo360 client id\/secret stored for “A”/);
      } finally {
        await fake.close();
      }
    });
  });

  describe('Canvas Studio', () => {
    it('Set Credentials with renewal: the bundle, and each of its secrets redacted on its own', async () => {
      const ui = new TestUserInput([{ type: 'x', refused: /Paste a Studio API access token/ }, 'access-token-1', { pick: 'Renew automatically…' }, 'refresh-1', 'client-id-1', 'client-secret-1']);
      const secret = await studioPlatform.promptSecret(ui, { label: 'Studio' });
      ui.assertDone();
      assert.deepEqual(ui.shown.map((p) => p.password), [true, undefined, true, false, true]);
      assert.deepEqual(parseStudioSecret(secret!), { accessToken: 'access-token-1', refreshToken: 'refresh-1', clientId: 'client-id-1', clientSecret: 'client-secret-1', tokenUrl: undefined });
      const r = new Redactor();
      for (const part of secretPartsOf(studioPlatform, secret)) r.add(part);
      assert.equal(r.redact('a access-token-1 r refresh-1 s client-secret-1'), 'a «redacted» r «redacted» s «redacted»');
    });

    it('a stored source renews an expired token and saves the new bundle; a draft never spends the refresh token', async () => {
      const fake = await startStudioFake();
      try {
        const uuid = fake.perspectives[0].uuid;
        const source = sourceOf({ kind: 'studio', label: 'S', baseUrl: fake.url, options: { perspectives: JSON.stringify([{ uuid, label: 'P' }]) } });
        const secret = serializeStudioSecret({ accessToken: fake.token, refreshToken: fake.refreshToken, clientId: fake.clientId, clientSecret: fake.clientSecret });
        fake.expireAccessToken();
        const draft = studioPlatform.client(source, secret, deps());
        await assert.rejects(studioPlatform.testConnection(draft, source, englishCounts), (e: unknown) => e instanceof InsightError && e.kind === 'auth');
        assert.equal(fake.refreshes(), 0, 'a draft does not renew');
        const saved: string[] = [];
        const d = deps({ saveSecret: async (next) => void saved.push(next) });
        const stored = studioPlatform.client(source, secret, d);
        assert.match(await studioPlatform.testConnection(stored, source, englishCounts), /^Connected to Studio at 127\.0\.0\.1:\d+: “P” overview is \d+ bytes\.$/);
        assert.equal(fake.refreshes(), 1);
        assert.equal(saved.length, 1);
        const next = parseStudioSecret(saved[0]);
        assert.equal(next.accessToken, fake.token, 'the renewed access token is saved');
        assert.equal(next.clientSecret, fake.clientSecret);
        assert.equal(d.redactor.redact(`t ${fake.token}`), 't «redacted»');
      } finally {
        await fake.close();
      }
    });

    it('lists plain items: Add Perspective… for none, perspectives, then Overview and Viewers with their role filters', async () => {
      const empty = sourceOf({ kind: 'studio', label: 'S', baseUrl: 'https://s.instructuremedia.com', options: { perspectives: '[]' } });
      const never = () => Promise.reject(new Error('listing needs no request'));
      const [add] = await studioPlatform.children!(empty, undefined, never, englishCounts);
      assert.deepEqual([add.type, add.label, add.command?.command], ['action', 'Add Perspective…', 'insightExplorer.studio.addPerspective']);
      const uuid = '3f1c2a9e-8b7d-4c21-9f4e-2d6a1b0c7e55';
      const source = { ...empty, options: { perspectives: JSON.stringify([{ uuid, label: 'BIO 101', roles: { users: 'student' } }]) } };
      const [perspective] = await studioPlatform.children!(source, undefined, never, englishCounts);
      assert.deepEqual([perspective.key, perspective.type, perspective.label, perspective.expandable, perspective.capabilities, perspective.id], [`perspective/${uuid}`, 'perspective', 'BIO 101', true, ['copyId'], uuid]);
      const insights = await studioPlatform.children!(source, perspective, never, englishCounts);
      assert.deepEqual(
        insights.map((i) => [i.key, i.type, i.label, i.description, i.capabilities]),
        [
          ['insight/overview', 'insight:overview', 'Overview', 'all roles', ['open', 'openRaw']],
          ['insight/users', 'insight:users', 'Viewers', 'role: student', ['open', 'openRaw']],
        ],
      );
    });

    it('fetches an insight item: the CSV byte for byte, its grid and chart, keyed by perspective, insight and role', async () => {
      const fake = await startStudioFake();
      try {
        const { uuid, label } = fake.perspectives[0];
        const source = sourceOf({ kind: 'studio', label: 'S', baseUrl: fake.url, options: { perspectives: JSON.stringify([{ uuid, label, roles: { users: 'student' } }]) } });
        const client = studioPlatform.client(source, fake.token, deps());
        const [perspective] = await studioPlatform.children!(source, undefined, async () => client, englishCounts);
        const [, viewers] = await studioPlatform.children!(source, perspective, async () => client, englishCounts);
        const result = await studioPlatform.fetch!(client, source, viewers, { signal: new AbortController().signal, progress: () => undefined });
        assert.ok(result.raw.bytes.equals(fake.csv('users', uuid, 'student')), 'the CSV as sent');
        assert.equal(result.raw.ext, 'csv');
        assert.equal(result.key, `studio-${uuid}-users-role-student`);
        assert.equal(result.title, `${label} · Viewers (student)`);
        const text = fake.csv('users', uuid, 'student').toString('utf8').replace(/^\uFEFF/, '');
        const reference = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data;
        assert.deepEqual(result.tables[0].columns, reference[0]);
        assert.equal(result.tables[0].rows.length, reference.length - 1);
        assert.deepEqual(result.tables[0].charts?.map((c) => c.kind), ['histogram']);
        // A role for this open only: '' is all roles, whatever the stored filter says.
        const all = await studioPlatform.fetch!(client, source, { ...viewers, data: { ...(viewers.data as object), role: '' } }, { signal: new AbortController().signal, progress: () => undefined });
        assert.ok(all.raw.bytes.equals(fake.csv('users', uuid)));
        assert.equal(all.key, `studio-${uuid}-users`);
      } finally {
        await fake.close();
      }
    });

    it('the connection test without a perspective asks for the nil perspective: a 404 there is success', async () => {
      const fake = await startStudioFake();
      try {
        const source = sourceOf({ kind: 'studio', label: 'S', baseUrl: fake.url, options: { perspectives: '[]' } });
        const client = studioPlatform.client(source, fake.token, deps());
        assert.match(await studioPlatform.testConnection(client, source, englishCounts), /the token was accepted\. Add a perspective/);
        assert.equal(studioPlatform.describe(source, englishCounts), `127.0.0.1:${fake.port} · 0 perspectives`);
      } finally {
        await fake.close();
      }
    });
  });
});
