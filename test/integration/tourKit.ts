// The screenshot tour (docs/screenshots/tour, README "Tour"): the suites take `tour-NN-name`
// shots where the state the tour shows already exists, and `npm run screenshots`
// (scripts/screenshots.mjs) runs them once per colour theme and copies the shots into the docs.
// A tour shot only looks: it closes leftover notification toasts and changes nothing else.
import * as vscode from 'vscode';
import { screenshot } from './treeKit';
import { ui } from './ui';

/** Saves test-results/screenshots/tour-<name>.png when the UI bridge is there (else nothing). */
export async function tourShot(name: string): Promise<void> {
  if (!ui.available) return;
  await screenshot(`tour-${name}`);
}

/**
 * The colour theme the run was started with (the user setting the runner writes for
 * INSIGHTS_THEME), or undefined when none was set. Read it before a suite changes the theme.
 */
export function startTheme(): string | undefined {
  const value = vscode.workspace.getConfiguration().inspect<string>('workbench.colorTheme')?.globalValue;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Waits until the quick input shows what `ready` checks (it opens and fills in asynchronously),
 * then takes the tour shot without touching it. Toasts are not cleared here (that could move
 * focus away from the prompt): clear them before opening it.
 */
export async function tourShotOfPrompt(name: string, ready: (items: string[]) => boolean, timeoutMs = 15_000): Promise<void> {
  if (!ui.available) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await ui.state();
    if (s.visible && ready(s.items ?? [])) break;
    if (Date.now() > deadline) throw new Error(`the prompt for tour shot ${name} did not appear; last seen: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await ui.screenshot(`tour-${name}`);
}
