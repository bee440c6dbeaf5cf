// What a new user meets in the first hour, checked on the real workbench: the dialogs' buttons,
// what the fake server saw, what ends up stored.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { PostHogFake, startPostHogFake } from '../fakes/posthog';
import { requireUi, ui } from './ui';

const EXTENSION_ID = 'insight-explorer.insight-explorer';

describe('First hour: Add Source recovers from a failed connection test', function () {
  this.timeout(120_000);
  let fake: PostHogFake;
  let api: InsightExplorerApi;
  const added: string[] = [];

  before(async function () {
    requireUi(this);
    fake = await startPostHogFake();
    api = await vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('workbench.view.extension.insightExplorer');
  });

  after(async () => {
    for (const id of added) await api?.services.store.remove(id);
    await fake?.close();
  });

  /** Starts Add Source and answers every step; `done` settles when the command ends (wrapped: an async function would wait for it). */
  async function startAdd(key: string, url = fake.url): Promise<{ done: Thenable<string | undefined> }> {
    const done = vscode.commands.executeCommand<string | undefined>('insightExplorer.addSource');
    await ui.answer({ pick: 'PostHog' });
    await ui.answer({ pick: 'Self-hosted…' });
    await ui.answer({ text: url });
    await ui.answer({ pick: 'Project ID' });
    await ui.answer({ text: String(fake.projectId) });
    await ui.answer({ text: 'First-hour PostHog' });
    await ui.answer({ text: key, password: true });
    return { done };
  }

  async function failureToast(): Promise<{ message: string; buttons: string[] }> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const n = (await ui.notifications()).find((x) => x.message.includes('Connection test failed'));
      if (n) return n;
      if (Date.now() > deadline) throw new Error(`no "Connection test failed" notification; shown: ${JSON.stringify(await ui.notifications())}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('a wrong key offers Set Credentials…, Edit URL…, Save Anyway and Discard; Set Credentials… goes back to the key and saves the right one', async () => {
    const before = fake.requests.length;
    const { done } = await startAdd('phx_wrong_key_0000');
    const toast = await failureToast();
    assert.match(toast.message, /401|refused|Unauthorized|credentials/i);
    assert.deepStrictEqual(toast.buttons, ['Set Credentials…', 'Edit URL…', 'Save Anyway', 'Discard']);
    // The key is never in the message.
    assert.ok(!toast.message.includes('phx_wrong_key_0000'));
    await ui.notification('Set Credentials…', { message: 'Connection test failed' });
    const key = await ui.answer({ text: fake.apiKey, password: true });
    assert.strictEqual(key.password, true, 'the key is asked for in a password box');
    const id = await done;
    assert.ok(id, 'the source is saved once the test passes');
    added.push(id);
    assert.strictEqual(await api.services.store.getSecret(id), fake.apiKey, 'the corrected key is the one stored');
    const tests = fake.requests.slice(before).filter((r) => r.path.includes('/insights'));
    assert.deepStrictEqual(
      tests.map((r) => r.authorization),
      [`Bearer phx_wrong_key_0000`, `Bearer ${fake.apiKey}`],
      'one connection test with the wrong key, then one with the right key',
    );
  });

  it('a dead URL offers Edit URL…, which tests the corrected URL and saves it', async () => {
    const dead = 'http://127.0.0.1:9'; // discard port: nothing listens
    const { done } = await startAdd(fake.apiKey, dead);
    const toast = await failureToast();
    assert.ok(toast.buttons.includes('Edit URL…'), `buttons: ${toast.buttons}`);
    await ui.notification('Edit URL…', { message: 'Connection test failed' });
    const box = await ui.answer({ text: fake.url });
    assert.strictEqual(box.value, dead, 'the URL box starts from the URL that failed');
    const id = await done;
    assert.ok(id);
    added.push(id);
    assert.strictEqual(api.services.store.get(id)!.baseUrl, fake.url);
  });

  it('Discard saves nothing', async () => {
    const count = api.services.store.list().length;
    const { done } = await startAdd('phx_wrong_key_0001');
    await failureToast();
    await ui.notification('Discard', { message: 'Connection test failed' });
    assert.strictEqual(await done, undefined);
    assert.strictEqual(api.services.store.list().length, count);
  });
});

describe('First hour: the PostHog tree counts at once and asks once', function () {
  this.timeout(120_000);
  let fake: PostHogFake;
  let api: InsightExplorerApi;
  const added: string[] = [];

  before(async function () {
    requireUi(this);
    fake = await startPostHogFake();
    api = await vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!.activate();
    for (const s of api.services.store.list()) await api.services.store.remove(s.id);
    await vscode.commands.executeCommand('workbench.view.extension.insightExplorer');
  });

  after(async () => {
    for (const id of added) await api?.services.store.remove(id);
    await fake?.close();
  });

  async function expandInsights(label: string): Promise<void> {
    const [source] = (await api.tree.getChildren()).filter((n) => n.id.includes(added[added.length - 1]));
    await api.view.reveal(source, { expand: true, focus: false, select: false });
    const groups = await api.tree.getChildren(source);
    const insights = groups.find((g) => g.id.endsWith('/insights'))!;
    await api.view.reveal(insights, { expand: true, focus: false, select: false });
    await ui.waitForTree('Sources', (t) => t.rows.some((r) => r.label === label));
  }

  it('the Insights group shows PostHog’s count as soon as its first page is known, without a refresh', async () => {
    added.push((await api.services.store.add({ kind: 'posthog', label: 'Counted PostHog', baseUrl: fake.url, options: { projectId: String(fake.projectId) } }, fake.apiKey)).id);
    await expandInsights('Counted PostHog');
    const t = await ui.waitForTree('Sources', (s) => s.rows.some((r) => r.label === 'Insights' && r.description !== ''));
    const row = t.rows.find((r) => r.label === 'Insights')!;
    assert.strictEqual(row.description, String(fake.insights.length));
    await api.services.store.remove(added.pop()!);
  });

  it('after a wrong key, one expand asks the server once, and the error row offers the fix', async () => {
    added.push((await api.services.store.add({ kind: 'posthog', label: 'Wrong-key PostHog', baseUrl: fake.url, options: { projectId: String(fake.projectId) } }, 'phx_wrong_key_0002')).id);
    const before = fake.requests.length;
    await expandInsights('Wrong-key PostHog');
    const t = await ui.waitForTree('Sources', (s) => s.rows.some((r) => r.label.startsWith('Unauthorized')));
    await new Promise((r) => setTimeout(r, 1500)); // a second attempt would have gone out by now
    const listings = fake.requests.slice(before).filter((r) => /\/insights\/$/.test(r.path));
    assert.strictEqual(listings.length, 1, `listing requests after one expand: ${listings.length}`);
    assert.ok(t.rows.some((r) => r.label === 'Unauthorized — Set Credentials…'), JSON.stringify(t.rows));
  });
});
