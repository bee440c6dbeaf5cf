// Client of the UI bridge (scripts/ui-bridge.mjs, served by scripts/run-integration.mjs): lets a test running inside
// the extension host drive the real workbench like a person — answer quick picks and input
// boxes by typing, click, press keys, read the preview webview's DOM, take screenshots.
//
// Only available under code-server (the runner sets INSIGHT_UI_BRIDGE in the environment the
// extension host inherits). Under @vscode/test-electron it is absent: check `ui.available` and
// skip UI-driven tests with the reason (`requireUi(this);`, which fails instead on CI).
//
// Typical flow — start a command without awaiting it, then answer its prompts:
//   const done = vscode.commands.executeCommand('insightExplorer.addSource');
//   const step1 = await ui.answer({ pick: 'PostHog' });
//   assert.strictEqual(step1.title, 'Add Source (1/3)');
//   await ui.answer({ text: 'https://eu.posthog.com' });
//   await ui.answer({ text: 'phx_secret', password: true });
//   await done;

import { skipBecause } from '../skip';

export interface QuickInputRow {
  label: string;
  description: string;
  detail: string;
  focused: boolean;
  checked?: boolean;
}

export interface QuickInputState {
  visible: boolean;
  title?: string;
  /** The quick input's description line (e.g. the step text under the title), if any. */
  description?: string;
  /** Input box prompt, without VS Code's "(Press 'Enter' to confirm…)" hint. */
  prompt?: string;
  placeholder?: string;
  /** False for quick picks shown without a filter box. */
  hasInput?: boolean;
  /** The text box masks its value (InputBoxOptions.password). */
  password?: boolean;
  /** Current text of the box; never reported for password boxes. */
  value?: string;
  /** Message shown with an error/warning/info decoration ('' when none). */
  validationMessage?: string;
  severity?: 'error' | 'warning' | 'info' | null;
  busy?: boolean;
  /** Labels of the rows currently rendered (the list is virtual: long lists show a window). */
  items?: string[];
  rows?: QuickInputRow[];
  activeItem?: string | null;
}

export interface AnswerOptions {
  /** Type this into the filter box and accept the row whose label equals (or starts with) it. */
  pick?: string;
  /**
   * Replace the input box's value with this and press Enter. It is typed once the box has stopped
   * changing (file dialogs fill in their folder after they appear); if the widget rewrites it
   * while typing (file-dialog autocompletion), the value is set outright and checked.
   */
  text?: string;
  /** With `text`: assert that the box is (true) / is not (false) a masked password box. */
  password?: boolean;
  /** How long to wait for the quick input (and for a matching row). Default 15 s. */
  timeoutMs?: number;
  /** How long to wait for the widget to change after answering. Default 5 s. */
  settleMs?: number;
}

/** What was on screen before answering, plus what followed. */
export interface AnswerResult extends QuickInputState {
  /** The state after typing `text`, just before Enter (validation may still be pending). */
  typed?: QuickInputState;
  /** The state after answering: hidden, the next step, or the same box with a validation message. */
  after: QuickInputState;
  /**
   * False when nothing changed within settleMs — e.g. Enter on an input box that shows a
   * validation error (then the wait is at most 1 s; `after.validationMessage` has the message).
   */
  changed: boolean;
}

export interface WebviewState {
  found: boolean;
  visible?: boolean;
  /** innerText of #insight-preview, truncated to 20,000 characters. */
  text: string;
  /** Number of [role=row] elements in the preview document (the grid renders only visible rows). */
  rowCount: number;
  /** data-* attributes of #insight-preview, e.g. { 'data-state': 'ready' }. */
  attributes: Record<string, string>;
  /** With `selector`: the texts of the matching elements. */
  texts?: string[];
}

export interface WebviewOptions {
  /** Wait up to this long for a preview document (and for `selector` to match). Default 10 s. */
  timeoutMs?: number;
  selector?: string;
  /** Only the preview with this title (several can be on screen, one per editor group). */
  title?: string;
}

export interface ClickOptions {
  selector?: string;
  /** Click the element whose text is exactly this (instead of a selector). */
  text?: string;
  frame?: 'webview' | 'workbench';
  /** 'right' opens the element's context menu. */
  button?: 'left' | 'right';
  timeoutMs?: number;
}

export interface NotificationInfo {
  index: number;
  message: string;
  source: string;
  severity: 'error' | 'warning' | 'info' | null;
  buttons: string[];
}

export interface TreeRow {
  view: string;
  label: string;
  description: string;
  ariaLabel: string;
  level: number;
  expanded: boolean | null;
  selected: boolean;
}

export interface TreeState {
  visible: boolean;
  /** Titles of the visible views in the sidebar. */
  views: string[];
  found?: boolean;
  /**
   * aria-labels of the rendered rows, top to bottom. The tree is virtual: rows scrolled out of
   * view are not in the page, so `reveal()` a node (TreeView.reveal) before looking for it.
   */
  items: string[];
  rows: TreeRow[];
  /** Text of the welcome view content, when the view shows one. */
  welcome?: string;
  /** A message the view shows instead of rows (e.g. "There is no data provider…"). */
  message?: string;
}

const bridgeUrl = process.env.INSIGHT_UI_BRIDGE;

async function call<T>(endpoint: string, body: object = {}): Promise<T> {
  if (!bridgeUrl) {
    throw new Error(
      'UI bridge not available: INSIGHT_UI_BRIDGE is not set (run the suite with `npm test`, ' +
        'which drives VS Code through scripts/run-integration.mjs); guard UI steps with `ui.available`.',
    );
  }
  const b = body as { timeoutMs?: number; settleMs?: number };
  // The bridge enforces its own limit; ours is a backstop slightly beyond it.
  const limit = (b.timeoutMs ?? 15_000) + (b.settleMs ?? 5_000) + 30_000;
  const res = await fetch(`${bridgeUrl}${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(limit),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: text };
  }
  if (!res.ok) throw new Error(`UI bridge ${(json as { error?: string }).error ?? `${endpoint}: ${res.status} ${res.statusText}`}`);
  return json as T;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const ui = {
  /** True when the suite runs under scripts/run-integration.mjs (code-server + Chromium). */
  available: !!bridgeUrl,

  /** Waits for a quick pick / input box, answers it, and reports what it showed. */
  answer(opts: AnswerOptions): Promise<AnswerResult> {
    return call('/quickinput', opts);
  },

  /** The quick input as it is now ({ visible: false } when none is open). */
  state(): Promise<QuickInputState> {
    return call('/quickinput/state');
  },

  /** Presses Escape in the open quick input; resolves with what it showed. */
  cancel(): Promise<QuickInputState & { cancelled: boolean }> {
    return call('/quickinput/cancel');
  },

  /** Resizes the browser's page (the whole workbench) to width × height CSS pixels; resolves to the size before. */
  async viewport(width: number, height: number): Promise<{ width: number; height: number }> {
    return (await call<{ before: { width: number; height: number } }>('/viewport', { width, height })).before;
  },

  /** Saves test-results/screenshots/<name>.png (whole page); resolves to its absolute path. */
  async screenshot(name: string): Promise<string> {
    return (await call<{ path: string }>('/screenshot', { name })).path;
  },

  /** Reads the preview webview (the frame whose document has #insight-preview). */
  webview(opts: WebviewOptions = {}): Promise<WebviewState> {
    return call('/webview', opts);
  },

  /**
   * Polls the preview until `predicate` holds (rows stream in; charts render later) and returns
   * the state that satisfied it. Fails with the last state seen.
   */
  async waitForWebview(predicate: (s: WebviewState) => boolean, opts: WebviewOptions = {}): Promise<WebviewState> {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const deadline = Date.now() + timeoutMs;
    let last: WebviewState | undefined;
    for (;;) {
      last = await call<WebviewState>('/webview', { ...opts, timeoutMs: Math.max(1_000, Math.min(5_000, deadline - Date.now())) });
      if (last.found && predicate(last)) return last;
      if (Date.now() >= deadline) break;
      await sleep(200);
    }
    throw new Error(
      `the preview did not reach the expected state within ${timeoutMs} ms; last seen: ` +
        JSON.stringify({ ...last, text: last?.text.slice(0, 500) }),
    );
  },

  /**
   * Polls the sidebar until `predicate` holds for the view titled `viewTitle` (tree views fill
   * in asynchronously after a refresh) and returns that state. Fails with the last state seen.
   */
  async waitForTree(
    viewTitle: string | undefined,
    predicate: (t: TreeState) => boolean,
    opts: { timeoutMs?: number } = {},
  ): Promise<TreeState> {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const deadline = Date.now() + timeoutMs;
    let last: TreeState;
    for (;;) {
      last = await call<TreeState>('/tree', { viewTitle });
      if (predicate(last)) return last;
      if (Date.now() >= deadline) break;
      await sleep(200);
    }
    throw new Error(
      `the view "${viewTitle ?? '(any)'}" did not reach the expected state within ${timeoutMs} ms; ` +
        `last seen: ${JSON.stringify({ views: last.views, items: last.items, welcome: last.welcome, message: last.message })}`,
    );
  },

  /**
   * Waits until a webview frame on screen (a Markdown preview, a walkthrough step's page) shows
   * this exact text; fails after `timeoutMs`.
   */
  async waitForFrameText(text: string, timeoutMs = 20_000): Promise<void> {
    const { found, frames } = await call<{ found: boolean; frames?: unknown[] }>('/frameText', { text, timeoutMs });
    if (!found) throw new Error(`no webview on screen shows "${text}" within ${timeoutMs} ms; frames: ${JSON.stringify(frames)}`);
  },

  /** Clicks an element in the workbench (default) or in the preview webview. */
  click(target: string | ClickOptions, frame?: 'webview' | 'workbench'): Promise<{ clicked: boolean }> {
    const opts = typeof target === 'string' ? { selector: target, frame } : { ...target, frame: target.frame ?? frame };
    return call('/click', opts);
  },

  /** Chooses the option with this visible label in a native <select> of the preview webview. */
  select(selector: string, label: string): Promise<{ selected: string[] }> {
    return call('/select', { selector, label });
  },

  /** Presses keys in order, Playwright syntax: 'Enter', 'Escape', 'Control+Shift+P'. */
  press(keys: string | string[]): Promise<{ pressed: string[] }> {
    return call('/press', { keys });
  },

  /** Types text into whatever has focus. */
  type(text: string): Promise<{ typed: boolean }> {
    return call('/type', { text });
  },

  /** Clicks `button` in a visible notification toast (optionally one whose message contains `message`). */
  notification(button: string, opts: { message?: string; timeoutMs?: number } = {}): Promise<{ message: string; clicked: string }> {
    return call('/notification', { button, ...opts });
  },

  /** The visible notification toasts. */
  /** The status bar entries on screen: element id, visible text, aria-label. */
  async statusBar(): Promise<{ id: string; text: string; ariaLabel: string }[]> {
    return (await call<{ items: { id: string; text: string; ariaLabel: string }[] }>('/statusbar', {})).items;
  },

  async notifications(): Promise<NotificationInfo[]> {
    return (await call<{ notifications: NotificationInfo[] }>('/notifications')).notifications;
  },

  /** Visible rows of the sidebar's views (only the view titled `viewTitle`, if given). */
  tree(viewTitle?: string): Promise<TreeState> {
    return call('/tree', { viewTitle });
  },
};

/**
 * Skips a UI-driven test, with the reason, when the UI bridge is absent (under
 * @vscode/test-electron); on CI (CI or INSIGHTS_REQUIRE_ALL=1) that is a failure instead.
 */
export function requireUi(ctx: Mocha.Context): void {
  if (!ui.available) skipBecause(ctx, 'needs the UI bridge, which only the code-server runner provides (npm test)', { missingTool: true });
}
