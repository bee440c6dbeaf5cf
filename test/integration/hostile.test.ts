// Hostile servers in the real VS Code: names with terminal escapes and bidi overrides from a
// server are shown escaped in the Sources tree (label, description, tooltip), and the HTTP limits
// come from the settings insightExplorer.http.maxBodyMb / timeoutSeconds.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { HostileServer, endless, hostileServer } from '../unit/hostile/hostileKit';
import { childByLabel, clearNotifications, labelOf, waitForNotification } from './treeKit';
import { requireUi } from './ui';

const EXTENSION_ID = 'insight-explorer.insight-explorer';
const HOSTILE = 'nope\x1b]0;pwned\x07 \x1b[2J \u202egnp.exe';
const RAW_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('Hostile servers in VS Code', function () {
  this.timeout(60_000);
  let api: InsightExplorerApi;
  let names: HostileServer;
  let flood: HostileServer;
  const ids: string[] = [];

  before(async () => {
    api = await vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!.activate();
    // A PostHog-shaped answer on every path: one page of insights named by an attacker.
    names = await hostileServer((_q, res) =>
      void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ count: 1, next: null, results: [{ id: 1, short_id: 'evil0001', name: HOSTILE, description: HOSTILE, filters: { insight: 'TRENDS' } }] })),
    );
    flood = await hostileServer((_q, res) => endless(res));
    for (const [label, server] of [
      ['Hostile names', names],
      ['Hostile flood', flood],
    ] as const) {
      ids.push((await api.services.store.add({ kind: 'posthog', label, baseUrl: server.url, options: { projectId: '1' } }, 'phx_hostileintegration0123')).id);
    }
  });

  after(async () => {
    for (const id of ids) await api.services.store.remove(id);
    await vscode.workspace.getConfiguration('insightExplorer').update('http.maxBodyMb', undefined, vscode.ConfigurationTarget.Global);
    await names?.close();
    await flood?.close();
  });

  it('shows a server-sent insight name escaped in the tree: no escape sequence, no bidi override', async () => {
    const insights = await childByLabel(api, await childByLabel(api, undefined, 'Hostile names'), 'Insights');
    const [first] = await api.tree.getChildren(insights);
    const label = await labelOf(api, first);
    assert.strictEqual(label, 'nope\\x1b]0;pwned\\x07 \\x1b[2J \\u202egnp.exe');
    const item = await api.tree.getTreeItem(first);
    const tooltip = typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '');
    for (const text of [label, String(item.description ?? ''), tooltip]) assert.ok(!RAW_CONTROLS.test(text.replace(/\n/g, '')), JSON.stringify(text));
  });

  it('shows a server-sent name escaped in a notification (Move to Trash)', async function () {
    requireUi(this);
    await clearNotifications();
    const insights = await childByLabel(api, await childByLabel(api, undefined, 'Hostile names'), 'Insights');
    const [first] = await api.tree.getChildren(insights);
    await vscode.commands.executeCommand('insightExplorer.posthog.trash', first);
    const n = await waitForNotification(/^Moved “nope/);
    assert.strictEqual(n.message, 'Moved “nope\\x1b]0;pwned\\x07 \\x1b[2J \\u202egnp.exe” to the trash.');
    await clearNotifications();
  });

  it('caps an endless listing at insightExplorer.http.maxBodyMb and shows the cap in the error node', async () => {
    await vscode.workspace.getConfiguration('insightExplorer').update('http.maxBodyMb', 2, vscode.ConfigurationTarget.Global);
    const insights = await childByLabel(api, await childByLabel(api, undefined, 'Hostile flood'), 'Insights');
    const kids = await api.tree.getChildren(insights);
    const err = await api.tree.getTreeItem(kids[kids.length - 1]);
    assert.strictEqual(err.label, 'Unexpected reply — Retry');
    assert.match(String(err.description), /sent more than 2 MB \(the cap for one answer\)/);
  });
});
