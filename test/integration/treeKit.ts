// Helpers shared by the integration suites: walking the Sources tree by label, waiting for what
// the preview webview reports, and screenshots without leftover notification toasts.
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import type { SourceConfig } from '../../src/vscode/sources/sourceStore';
import type { TreeNode } from '../../src/vscode/tree/nodes';
import type { PreviewReport } from '../../src/protocol';
import { ui } from './ui';

export async function labelOf(api: InsightExplorerApi, node: TreeNode): Promise<string> {
  const item = await api.tree.getTreeItem(node);
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

export async function labelsOf(api: InsightExplorerApi, nodes: TreeNode[]): Promise<string[]> {
  return Promise.all(nodes.map((n) => labelOf(api, n)));
}

export async function childByLabel(api: InsightExplorerApi, parent: TreeNode | undefined, label: string | RegExp): Promise<TreeNode> {
  const kids = await api.tree.getChildren(parent);
  for (const k of kids) {
    const l = await labelOf(api, k);
    if (typeof label === 'string' ? l === label : label.test(l)) return k;
  }
  throw new Error(`no child ${label} under ${parent?.id ?? 'root'}; saw ${(await labelsOf(api, kids)).join(' | ')}`);
}

/** Walks labels from the root: path('Test Canvas', 'Courses', 'BIO 101…'). */
export async function nodeAt(api: InsightExplorerApi, ...labels: (string | RegExp)[]): Promise<TreeNode> {
  let node: TreeNode | undefined;
  for (const l of labels) node = await childByLabel(api, node, l);
  return node!;
}

export function waitForReport(
  api: InsightExplorerApi,
  key: string,
  pred: (r: PreviewReport) => boolean,
  // Generous: a new webview on a busy 2-core machine can take many seconds to paint its first rows,
  // and in VS Code for the Web a page whose script was lost to another webview's service worker
  // fails after 30 s before the panel loads it again (src/core/preview/html.ts).
  timeoutMs = 90_000,
): Promise<PreviewReport> {
  return new Promise((resolve, reject) => {
    const last = api.previews.lastReport(key);
    if (last && pred(last)) return resolve(last);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`preview ${key} did not report the expected state; last: ${JSON.stringify(api.previews.lastReport(key))}`));
    }, timeoutMs);
    const sub = api.previews.onDidReport((r) => {
      if (r.key === key && pred(r)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(r);
      }
    });
  });
}

export async function csvLines(uri: vscode.Uri): Promise<string[]> {
  return (await vscode.workspace.openTextDocument(uri)).getText().trim().split('\n');
}

/**
 * Closes every toast. A notification raised right after clearing is not toasted (observed in
 * code-server 1.100: it lands in the notification centre only), hence the pause.
 */
export async function clearNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
  await new Promise((r) => setTimeout(r, 800));
}

/** A screenshot without the toasts earlier tests left over the editors. */
export async function screenshot(name: string): Promise<void> {
  await clearNotifications();
  await ui.screenshot(name);
}

export async function waitForNotification(pattern: RegExp, timeoutMs = 10_000): Promise<{ message: string; buttons: string[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await ui.notifications()).find((n) => pattern.test(n.message));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no notification matching ${pattern}; saw ${JSON.stringify(await ui.notifications())}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The failure of a command that must fail, as its one-line message. A failed command shows its
 * error once and resolves to undefined; the failure is read from the test API.
 */
export async function failureOf(api: InsightExplorerApi, p: Thenable<unknown>): Promise<string> {
  const before = api.commandFailures().at(-1)?.seq ?? 0;
  const result = await p;
  const failure = api.commandFailures().find((f) => f.seq > before);
  if (!failure) throw new Error(`the command succeeded where it should have failed (it returned ${JSON.stringify(result)})`);
  return failure.error instanceof Error ? failure.error.message : String(failure.error);
}

/**
 * The id of the source labelled `input.label`: the one the UI-driven Add Source test made, or,
 * when that test failed or could not run, the same source made straight in the store. Tests that
 * only need the source get it from here in a hook of their own, so each passes or fails on its own.
 */
export async function ensureSource(api: InsightExplorerApi, input: Omit<SourceConfig, 'id' | 'createdAt'>, secret: string): Promise<string> {
  const existing = api.services.store.list().find((s) => s.kind === input.kind && s.label === input.label);
  if (existing) {
    if ((await api.services.store.getSecret(existing.id)) !== secret) await api.services.store.setSecret(existing.id, secret);
    return existing.id;
  }
  const made = await api.services.store.add(input, secret);
  return made.id;
}
