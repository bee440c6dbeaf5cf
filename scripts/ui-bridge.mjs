// @ts-check
// The UI bridge: tests run inside the extension host and cannot touch the workbench's DOM, so
// scripts/run-integration.mjs serves this small HTTP API on 127.0.0.1 that performs UI actions
// with Playwright on their behalf — answer quick picks and input boxes by typing, click, press
// keys, read the preview webview and the sidebar's trees, take screenshots. Its address reaches
// the tests as INSIGHT_UI_BRIDGE in code-server's environment, which the extension host
// inherits. The typed client is test/integration/ui.ts.
//
// The *InPage / *InFrame functions are serialized by Playwright and run in the browser: they may
// only use DOM APIs and their arguments. The selectors are VS Code 1.100's (quickInput*.ts,
// treeView.ts, notificationsViewer.ts).
import http from 'node:http';
import path from 'node:path';
import { onCleanup, repoRoot, saveScreenshot, waitFor } from './workbench.mjs';

// Runs in the page. Reads the quick input widget without touching it.
function readQuickInputInPage() {
  const w = document.querySelector('.quick-input-widget');
  /** @type {(el: Element | null | undefined) => el is Element} */
  const shown = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  if (!shown(w)) return { visible: false };
  /** @param {Element | null | undefined} el */
  const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
  /** @type {HTMLInputElement | null} */
  const input = w.querySelector('.quick-input-box input');
  const inputBox = w.querySelector('.quick-input-box .monaco-inputbox');
  const severity = ['error', 'warning', 'info'].find((s) => inputBox?.classList.contains(s)) ?? null;
  const messageEl = w.querySelector('.quick-input-message');
  const message = shown(messageEl) ? text(messageEl) : '';
  // VS Code renders either the validation message (with a severity decoration on the input) or
  // the prompt plus a fixed hint in the same element.
  let prompt = '';
  let validationMessage = '';
  if (severity) validationMessage = message;
  else if (message && !/^Press 'Enter' to confirm your input or 'Escape' to cancel$/.test(message)) {
    prompt = message.replace(/\s*\(Press 'Enter' to confirm or 'Escape' to cancel\)$/, '');
  }
  // Monaco lists reuse row elements, so DOM order is not screen order: sort by data-index.
  /** @type {(a: Element, b: Element) => number} */
  const byIndex = (a, b) => Number(a.getAttribute('data-index') ?? 0) - Number(b.getAttribute('data-index') ?? 0);
  const rows = [...w.querySelectorAll('.quick-input-list .monaco-list-row')]
    .sort(byIndex)
    .filter((row) => shown(row) && !row.querySelector('.quick-input-list-separator-as-item'))
    .map((row) => ({
      label: text(row.querySelector('.quick-input-list-row .label-name')) || row.getAttribute('aria-label') || '',
      description: text(row.querySelector('.quick-input-list-row .label-description')),
      detail: text(row.querySelector('.quick-input-list-label-meta .label-name')),
      focused: row.classList.contains('focused'),
      checked: /** @type {HTMLInputElement | null} */ (row.querySelector('input[type=checkbox]'))?.checked ?? undefined,
    }));
  const progress = w.querySelector('.quick-input-progress');
  return {
    visible: true,
    title: text(w.querySelector('.quick-input-title')),
    description: text(w.querySelector('.quick-input-header .quick-input-description')),
    prompt,
    placeholder: input?.getAttribute('placeholder') ?? '',
    hasInput: shown(input),
    password: input?.type === 'password',
    // Never hand a password's value back: it would end up in test logs.
    value: input && input.type !== 'password' ? input.value : undefined,
    validationMessage,
    severity,
    busy: shown(progress) && !!progress?.querySelector('.progress-bit') && progress.classList.contains('active'),
    items: rows.map((r) => r.label),
    rows,
    activeItem: rows.find((r) => r.focused)?.label ?? null,
  };
}

// Runs in the page: a one-paragraph account of what is on screen, for error messages.
function describeScreenInPage() {
  /** @param {Element | null | undefined} el */
  const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
  /** @type {(el: Element | null | undefined) => el is Element} */
  const shown = (el) => !!el && el.getClientRects().length > 0;
  const parts = [];
  const qi = document.querySelector('.quick-input-widget');
  if (shown(qi)) {
    const items = [...qi.querySelectorAll('.quick-input-list .monaco-list-row')]
      .filter(shown)
      .map((r) => r.getAttribute('aria-label'))
      .slice(0, 15);
    parts.push(
      `quick input: title="${text(qi.querySelector('.quick-input-title'))}" ` +
        `message="${text(qi.querySelector('.quick-input-message'))}" ` +
        `placeholder="${qi.querySelector('.quick-input-box input')?.getAttribute('placeholder') ?? ''}" items=${JSON.stringify(items)}`,
    );
  } else parts.push('quick input: hidden');
  const toasts = [...document.querySelectorAll('.notifications-toasts .notification-toast')]
    .filter(shown)
    .map(
      (t) =>
        `${text(t.querySelector('.notification-list-item-message'))} [${[...t.querySelectorAll('.monaco-button')].map(text).join('|')}]`,
    );
  parts.push(`notifications: ${toasts.length ? JSON.stringify(toasts) : 'none'}`);
  const dialog = document.querySelector('.monaco-dialog-box');
  if (shown(dialog))
    parts.push(
      `dialog: "${text(dialog.querySelector('.dialog-message-text'))}" buttons=${JSON.stringify([...dialog.querySelectorAll('.monaco-button')].map(text))}`,
    );
  const tabs = [...document.querySelectorAll('.part.editor .tabs-container .tab')].map(
    (t) => `${t.classList.contains('active') ? '*' : ''}${t.getAttribute('aria-label') ?? text(t)}`,
  );
  parts.push(`editor tabs: ${JSON.stringify(tabs)}`);
  const side = document.querySelector('.part.sidebar');
  if (shown(side)) {
    // A container with a single view hides that view's header and titles the sidebar instead.
    const panes = [...side.querySelectorAll('.pane')].filter(shown).map((p) => text(p.querySelector('.pane-header .title')));
    parts.push(`sidebar: "${text(side.querySelector('.composite.title h2'))}" views=${JSON.stringify(panes)}`);
  } else parts.push('sidebar: hidden');
  return parts.join('; ');
}

// Runs in a (webview) frame.
/**
 * Whether a frame is on screen as the page shows it: its iframe element and every enclosing one
 * are visible and have a size (a hidden webview's frames keep their own layout).
 * @param {import('playwright-core').Frame} frame
 */
async function frameShown(frame) {
  for (let f = frame; f.parentFrame(); f = /** @type {import('playwright-core').Frame} */ (f.parentFrame())) {
    const el = await f.frameElement().catch(() => null);
    if (!el) return false;
    const box = await el.boundingBox().catch(() => null);
    if (!box || box.width < 2 || box.height < 2 || !(await el.isVisible().catch(() => false))) return false;
  }
  return true;
}

/** @param {Array<string | null>} args [selector, title] */
function readPreviewInFrame([selector, title]) {
  /** @type {HTMLElement | null} */
  const root = document.querySelector('#insight-preview');
  if (!root) return null;
  // Several previews can be on screen at once (one per editor group): `title` picks one.
  if (title !== null && (root.querySelector('.ip-title')?.textContent ?? '') !== title) return null;
  /** @type {Record<string, string>} */
  const attributes = {};
  for (const a of root.attributes) if (a.name.startsWith('data-')) attributes[a.name] = a.value;
  const text = root.innerText ?? root.textContent ?? '';
  return {
    found: true,
    visible: root.getClientRects().length > 0,
    text: text.length > 20_000 ? text.slice(0, 20_000) : text,
    rowCount: document.querySelectorAll('[role=row]').length,
    attributes,
    texts: selector
      ? [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(selector))].map((e) =>
          (e.innerText ?? e.textContent ?? '').trim(),
        )
      : undefined,
  };
}

class BridgeError extends Error {}

/**
 * Starts the UI bridge server. `setPage(page)` once the workbench page exists.
 * Returns { url, setPage, close }.
 * @param {{ log?: (line: string) => void }} [options]
 */
export async function startUiBridge({ log = () => {} } = {}) {
  /** @type {import('playwright-core').Page | undefined} */
  let page;
  let errorCount = 0;
  /** @type {Promise<unknown>} */
  let queue = Promise.resolve();
  // One UI action at a time: two overlapping keyboard sequences would interleave.
  /** @type {<T>(fn: () => Promise<T>) => Promise<T>} */
  const serialize = (fn) => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => {});
    return next;
  };

  const needPage = () => {
    if (!page || page.isClosed()) throw new BridgeError('the workbench page is not open (yet)');
    return page;
  };
  const describe = async () => {
    try {
      return await needPage().evaluate(describeScreenInPage);
    } catch (/** @type {any} */ e) {
      return `(could not read the screen: ${e.message})`;
    }
  };
  // Its answer is JSON in one of two shapes ({ visible: false } or the full state): read as such.
  /** @type {() => Promise<any>} */
  const quickInput = () => needPage().evaluate(readQuickInputInPage);
  /** @param {any} s a quickInput() state */
  const signature = (s) =>
    JSON.stringify(s.visible ? [s.title, s.prompt, s.placeholder, s.validationMessage, s.items, s.value, s.password] : false);
  const qiInput = () => needPage().locator('.quick-input-widget .quick-input-box input').first();

  /** @param {number} timeoutMs */
  async function waitForQuickInput(timeoutMs) {
    const state = await waitFor(async () => {
      const s = await quickInput();
      return s.visible ? s : undefined;
    }, timeoutMs);
    if (!state) throw new BridgeError(`no quick input appeared within ${timeoutMs} ms`);
    // Some quick inputs fill themselves in after they appear — the simple file dialog (Save As
    // in the browser) sets its folder path a moment later, moving the cursor to the end; typing
    // before that lands in the middle of its text. Wait until it stops changing (~150-300 ms).
    /** @type {string | undefined} */
    let previous;
    const settled = await waitFor(
      async () => {
        const s = await quickInput();
        const sig = `${signature(s)}|${s.busy}`;
        const stable = sig === previous;
        previous = sig;
        return stable && s.visible && !s.busy ? s : undefined;
      },
      3_000,
      150,
    );
    return settled ?? (await quickInput());
  }

  /**
   * True when the input box holds exactly `text` on two reads 100 ms apart.
   * @param {string} text
   * @param {number} timeoutMs
   */
  async function inputHolds(text, timeoutMs) {
    let hits = 0;
    const ok = await waitFor(async () => {
      const v = await needPage().evaluate(
        () => /** @type {HTMLInputElement | null} */ (document.querySelector('.quick-input-widget .quick-input-box input'))?.value ?? null,
      );
      hits = v === text ? hits + 1 : 0;
      return hits >= 2;
    }, timeoutMs);
    return !!ok;
  }

  /** @param {string} text */
  async function typeInto(text) {
    const p = needPage();
    const input = qiInput();
    await input.focus();
    // Replace whatever is there the way a person would: select all, then type over it.
    await p.keyboard.press('ControlOrMeta+a');
    if (text === '') await p.keyboard.press('Backspace');
    else await p.keyboard.type(text);
  }

  /**
   * @param {any} before a quickInput() state
   * @param {number} settleMs
   */
  async function settle(before, settleMs) {
    const sig = signature(before);
    const after = await waitFor(async () => {
      const s = await quickInput();
      return signature(s) !== sig ? s : undefined;
    }, settleMs);
    return after ? { after, changed: true } : { after: await quickInput(), changed: false };
  }

  // Each takes the request's JSON body.
  /** @type {Record<string, (body: any) => Promise<unknown>>} */
  const handlers = {
    async '/quickinput'(body) {
      const timeoutMs = body.timeoutMs ?? 15_000;
      const settleMs = body.settleMs ?? 5_000;
      const observed = await waitForQuickInput(timeoutMs);
      const p = needPage();
      if (body.pick !== undefined && body.pick !== null) {
        const pick = String(body.pick);
        if (observed.hasInput) await typeInto(pick);
        // Items may arrive late (busy quick picks) and filtering is asynchronous: wait for a row
        // whose label is the pick (exact match wins over prefix match), in a list that has
        // stopped changing — acting on a list mid-filter would hit the wrong row.
        let previous = '';
        const target = await waitFor(async () => {
          const s = await quickInput();
          if (!s.visible) return undefined;
          const sig = JSON.stringify(s.rows);
          const stable = sig === previous;
          previous = sig;
          if (!stable) return undefined;
          const exact = s.rows.find((/** @type {{ label: string }} */ r) => r.label === pick);
          const row = exact ?? s.rows.find((/** @type {{ label: string }} */ r) => r.label.startsWith(pick));
          return row ? { row, state: s } : undefined;
        }, timeoutMs);
        if (!target) {
          const s = await quickInput();
          throw new BridgeError(
            `no item "${pick}" in the quick pick "${observed.title}" within ${timeoutMs} ms; ` +
              `items before typing: ${JSON.stringify(observed.items)}, after: ${JSON.stringify(s.items ?? [])}`,
          );
        }
        const before = target.state;
        if (target.row.focused) await p.keyboard.press('Enter');
        else {
          // Click the row by its label, not by position, in case the list re-rendered meanwhile.
          await p
            .locator('.quick-input-widget .quick-input-list .monaco-list-row')
            .filter({
              has: p
                .locator('.quick-input-list-row .label-name')
                .filter({ hasText: new RegExp(`^\\s*${escapeRegExp(target.row.label)}\\s*$`) }),
            })
            .first()
            .click({ timeout: 5_000 });
        }
        return { ...observed, ...(await settle(before, settleMs)) };
      }
      if (body.text !== undefined && body.text !== null) {
        if (!observed.hasInput) throw new BridgeError(`the quick input "${observed.title}" has no text box`);
        if (body.password === true && !observed.password) {
          throw new BridgeError(`expected a password box (masked input) but "${observed.title || observed.prompt}" shows its text`);
        }
        if (body.password === false && observed.password) {
          throw new BridgeError(`expected a plain text box but "${observed.title || observed.prompt}" is a password box`);
        }
        const text = String(body.text);
        await typeInto(text);
        // Autocompletion (file dialogs) can rewrite text while it is typed; a person would see
        // that and fix it, so we set the value outright and check again.
        if (!(await inputHolds(text, 1_500))) {
          log('   the widget altered the typed text; setting it with fill()');
          await qiInput().fill(text);
          if (!(await inputHolds(text, 1_500))) {
            const shown = observed.password ? '(hidden)' : JSON.stringify((await quickInput()).value);
            throw new BridgeError(
              `the input box would not hold ${observed.password ? 'the password' : JSON.stringify(text)}; it shows ${shown}`,
            );
          }
        }
        const before = await quickInput();
        await p.keyboard.press('Enter');
        // An input box showing an error does not accept Enter: nothing will change, so don't
        // wait the full settle time for it.
        return {
          ...observed,
          typed: before,
          ...(await settle(before, before.severity === 'error' ? Math.min(settleMs, 1_000) : settleMs)),
        };
      }
      throw new BridgeError('give `pick` or `text`');
    },
    async '/quickinput/state'() {
      return quickInput();
    },
    async '/quickinput/cancel'(body) {
      const before = await quickInput();
      if (!before.visible) return { visible: false, cancelled: false };
      await qiInput()
        .focus()
        .catch(() => {});
      await needPage().keyboard.press('Escape');
      const hidden = await waitFor(async () => !(await quickInput()).visible, body.timeoutMs ?? 5_000);
      if (!hidden) throw new BridgeError('the quick input stayed open after Escape');
      return { ...before, cancelled: true };
    },
    async '/viewport'(body) {
      const p = needPage();
      const before = p.viewportSize();
      await p.setViewportSize({ width: Number(body.width), height: Number(body.height) });
      return { before };
    },
    async '/screenshot'(body) {
      return { path: await saveScreenshot(needPage(), body.name) };
    },
    async '/webview'(body) {
      const timeoutMs = body.timeoutMs ?? 10_000;
      const p = needPage();
      const result = await waitFor(async () => {
        let hiddenHit;
        for (const frame of p.frames()) {
          if (frame === p.mainFrame() || frame.isDetached()) continue;
          let r;
          try {
            r = await frame.evaluate(readPreviewInFrame, [body.selector ?? null, typeof body.title === 'string' ? body.title : null]);
          } catch {
            continue;
          }
          if (!r) continue;
          if (body.selector && /** @type {string[]} */ (r.texts).length === 0) continue;
          // A kept (retainContextWhenHidden) panel's page stays loaded while hidden, and from
          // inside it looks visible: ask the page that hosts it whether its frames are shown.
          if (r.visible && (await frameShown(frame))) return r;
          hiddenHit ??= r;
        }
        return hiddenHit;
      }, timeoutMs);
      return result ?? { found: false, text: '', rowCount: 0, attributes: {}, texts: body.selector ? [] : undefined };
    },
    async '/frameText'(body) {
      // Whether a webview frame on screen shows this exact text: a Markdown preview or a
      // walkthrough step's page has rendered. Tests wait for it before the next webview opens:
      // code-server serves every webview from one origin, so two webviews loading at once race
      // for the one service worker, and the loser can stay blank.
      const timeoutMs = body.timeoutMs ?? 10_000;
      const p = needPage();
      if (typeof body.text !== 'string' || !body.text) throw new BridgeError('give `text`');
      const found = await waitFor(async () => {
        for (const f of p.frames()) {
          if (f === p.mainFrame() || f.isDetached()) continue;
          try {
            if ((await f.getByText(body.text, { exact: true }).count()) && (await frameShown(f))) return true;
          } catch {
            /* detached meanwhile */
          }
        }
        return undefined;
      }, timeoutMs);
      if (found) return { found: true };
      // What the frames show instead, for the failure message.
      const frames = [];
      for (const f of p.frames()) {
        if (f === p.mainFrame() || f.isDetached()) continue;
        const text = await f.evaluate(() => document.body?.innerText ?? '').catch(() => '(unreadable)');
        frames.push({ url: f.url().replace(/\?.*/, ''), shown: await frameShown(f), text: text.replace(/\s+/g, ' ').slice(0, 80) });
      }
      return { found: false, frames };
    },
    async '/click'(body) {
      const timeoutMs = body.timeoutMs ?? 10_000;
      const p = needPage();
      if (!body.selector && !body.text) throw new BridgeError('give `selector` or `text`');
      // 'right' opens context menus (the explorer's "Open in Insight Preview").
      const button = body.button === 'right' ? 'right' : 'left';
      /** @param {import('playwright-core').Frame} f */
      const inFrame = (f) => (body.selector ? f.locator(body.selector) : f.getByText(body.text, { exact: true })).first();
      if (body.frame === 'webview') {
        const frame = await waitFor(async () => {
          for (const f of p.frames()) {
            if (f === p.mainFrame() || f.isDetached()) continue;
            try {
              // Only a frame on screen: a kept panel's hidden page has the same controls.
              if ((await inFrame(f).count()) && (await frameShown(f))) return f;
            } catch {
              /* detached meanwhile */
            }
          }
          return undefined;
        }, timeoutMs);
        if (!frame) throw new BridgeError(`no webview frame has ${body.selector ?? `text "${body.text}"`} within ${timeoutMs} ms`);
        await inFrame(frame).click({ timeout: timeoutMs, button });
      } else {
        await inFrame(p.mainFrame()).click({ timeout: timeoutMs, button });
      }
      return { clicked: true };
    },
    async '/select'(body) {
      // A native <select> in the webview: Playwright picks the option as a user's choice would
      // (focus, change and input events), by visible label.
      const timeoutMs = body.timeoutMs ?? 10_000;
      const p = needPage();
      if (typeof body.selector !== 'string' || typeof body.label !== 'string') throw new BridgeError('give `selector` and `label`');
      const frame = await waitFor(async () => {
        for (const f of p.frames()) {
          if (f === p.mainFrame() || f.isDetached()) continue;
          try {
            if ((await f.locator(body.selector).count()) && (await frameShown(f))) return f;
          } catch {
            /* detached meanwhile */
          }
        }
        return undefined;
      }, timeoutMs);
      if (!frame) throw new BridgeError(`no webview frame has ${body.selector} within ${timeoutMs} ms`);
      const picked = await frame.locator(body.selector).first().selectOption({ label: body.label }, { timeout: timeoutMs });
      return { selected: picked };
    },
    async '/press'(body) {
      const keys = Array.isArray(body.keys) ? body.keys : [body.keys];
      if (!keys.length || keys.some((/** @type {unknown} */ k) => typeof k !== 'string' || !k))
        throw new BridgeError('`keys` must be a key or list of keys, e.g. "Escape" or ["Control+Shift+P"]');
      for (const k of keys) await needPage().keyboard.press(k);
      return { pressed: keys };
    },
    async '/type'(body) {
      await needPage().keyboard.type(String(body.text ?? ''));
      return { typed: true };
    },
    async '/statusbar'() {
      return { items: await needPage().evaluate(readStatusBarInPage) };
    },
    async '/notifications'() {
      return { notifications: await needPage().evaluate(readToastsInPage) };
    },
    async '/notification'(body) {
      const timeoutMs = body.timeoutMs ?? 10_000;
      const p = needPage();
      const want = String(body.button ?? '');
      const hit = await waitFor(async () => {
        const toasts = await p.evaluate(readToastsInPage);
        const i = toasts.findIndex(
          (t) => t.buttons.includes(want) && (!body.message || t.message.toLowerCase().includes(String(body.message).toLowerCase())),
        );
        return i >= 0 ? { i, toast: toasts[i] } : undefined;
      }, timeoutMs);
      if (!hit) throw new BridgeError(`no visible notification with a "${want}" button within ${timeoutMs} ms`);
      await p
        .locator('.notifications-toasts .notification-toast')
        .nth(hit.toast.index)
        .locator('.monaco-button', { hasText: want })
        .filter({ hasText: new RegExp(`^\\s*${escapeRegExp(want)}\\s*$`) })
        .first()
        .click({ timeout: 5_000 });
      return { message: hit.toast.message, clicked: want };
    },
    async '/tree'(body) {
      return needPage().evaluate(readTreeInPage, body.viewTitle ?? null);
    },
  };

  const server = http.createServer((req, res) => {
    /** @type {(status: number, obj: unknown) => void} */
    const reply = (status, obj) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const route = (req.url ?? '').split('?')[0];
      const handler = req.method === 'POST' && Object.hasOwn(handlers, route) ? handlers[route] : undefined;
      if (!handler) {
        reply(404, { error: `unknown endpoint ${req.method} ${route}; try POST ${Object.keys(handlers).join(', ')}` });
        return;
      }
      let body;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      } catch {
        reply(400, { error: 'body is not JSON' });
        return;
      }
      serialize(async () => {
        // Every action has an overall time limit, so a test never waits on the bridge forever.
        const limit = (body.timeoutMs ?? 15_000) + (body.settleMs ?? 5_000) + 15_000;
        const t0 = Date.now();
        log(`→ ${route} ${JSON.stringify(body.password ? { ...body, text: '***' } : body)}`);
        let timer;
        try {
          const out = await Promise.race([
            handler(body),
            new Promise((_, rej) => {
              timer = setTimeout(() => rej(new BridgeError(`${route} took longer than ${limit} ms`)), limit);
            }),
          ]);
          log(`← ${route} ok (${Date.now() - t0} ms)`);
          reply(200, out ?? {});
        } catch (/** @type {any} */ e) {
          errorCount++;
          let shot = '';
          try {
            shot = ` Screenshot: ${path.relative(repoRoot, await saveScreenshot(needPage(), `bridge-error-${errorCount}${route.replace(/\//g, '-')}`))}.`;
          } catch {
            /* no page */
          }
          const message = `${route}: ${e.message.split('\n')[0]}. On screen: ${await describe()}.${shot}`;
          log(`← ${route} error (${Date.now() - t0} ms): ${message}`);
          reply(500, { error: message });
        } finally {
          clearTimeout(timer);
        }
      });
    });
  });
  await /** @type {Promise<void>} */ (new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)));
  const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  const close = onCleanup(
    () =>
      /** @type {Promise<void>} */ (
        new Promise((r) => {
          server.closeAllConnections?.();
          server.close(() => r());
        })
      ),
  );
  return {
    url,
    setPage: (/** @type {import('playwright-core').Page} */ p) => {
      page = p;
    },
    close,
  };
}

/** @param {string} s */
function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The status bar entries on screen, as a person reads them (codicons leave no text). */
function readStatusBarInPage() {
  /** @param {Element | null | undefined} el */
  const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
  return [...document.querySelectorAll('.part.statusbar .statusbar-item')]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => ({ id: el.id, text: text(el), ariaLabel: el.getAttribute('aria-label') ?? '' }));
}

function readToastsInPage() {
  /** @param {Element | null | undefined} el */
  const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
  return [...document.querySelectorAll('.notifications-toasts .notification-toast')]
    .map((t, index) => ({ t, index }))
    .filter(({ t }) => t.getClientRects().length > 0)
    .map(({ t, index }) => ({
      index,
      message: text(t.querySelector('.notification-list-item-message')),
      source: text(t.querySelector('.notification-list-item-source')),
      severity: ['error', 'warning', 'info'].find((s) => t.querySelector(`.codicon-${s}, .codicon-notifications-${s}`)) ?? null,
      buttons: [...t.querySelectorAll('.monaco-button')].map(text).filter(Boolean),
    }));
}

/** @param {string | null} viewTitle */
function readTreeInPage(viewTitle) {
  /** @param {Element | null | undefined} el */
  const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
  const sidebar = document.querySelector('.part.sidebar');
  if (!sidebar || sidebar.getClientRects().length === 0) return { visible: false, views: [], items: [], rows: [] };
  const panes = [...sidebar.querySelectorAll('.pane')]
    .filter((p) => p.getClientRects().length > 0)
    .map((pane) => ({
      pane,
      title: text(pane.querySelector('.pane-header .title')),
      expanded: pane.querySelector('.pane-header')?.getAttribute('aria-expanded') === 'true',
    }));
  const chosen = viewTitle ? panes.filter((p) => p.title.toLowerCase() === String(viewTitle).toLowerCase()) : panes;
  const rows = [];
  for (const { pane, title } of chosen) {
    // Monaco lists reuse row elements, so DOM order is not screen order: sort by data-index.
    const ordered = [...pane.querySelectorAll('.pane-body .monaco-list-row')].sort(
      (a, b) => Number(a.getAttribute('data-index') ?? 0) - Number(b.getAttribute('data-index') ?? 0),
    );
    for (const row of ordered) {
      if (row.getClientRects().length === 0) continue;
      rows.push({
        view: title,
        label: text(row.querySelector('.label-name')) || row.getAttribute('aria-label') || text(row),
        description: text(row.querySelector('.label-description')),
        ariaLabel: row.getAttribute('aria-label') ?? '',
        level: Number(row.getAttribute('aria-level') ?? 1),
        expanded: row.hasAttribute('aria-expanded') ? row.getAttribute('aria-expanded') === 'true' : null,
        selected: row.classList.contains('selected'),
      });
    }
  }
  const welcome = chosen
    .map(({ pane }) => pane.querySelector('.welcome-view-content'))
    .filter(/** @type {(w: Element | null) => w is HTMLElement} */ ((w) => !!w && w.getClientRects().length > 0))
    .map((w) => (w.innerText ?? text(w)).trim());
  return {
    visible: true,
    views: panes.map((p) => p.title),
    found: chosen.length > 0,
    items: rows.map((r) => r.ariaLabel || r.label),
    rows,
    welcome: welcome.join('\n'),
    message: chosen
      .map(({ pane }) => pane.querySelector('.pane-body .message'))
      .filter((m) => m && !m.classList.contains('hide') && m.getClientRects().length > 0)
      .map(text)
      .filter(Boolean)
      .join('\n'),
  };
}

/**
 * Rows, welcome content and message of the sidebar view titled `viewName` (see readTreeInPage).
 * @param {import('playwright-core').Page} page
 * @param {string} viewName
 * @returns {Promise<ViewState>}
 */
export function readView(page, viewName) {
  return page.evaluate(readTreeInPage, viewName);
}

/**
 * What readTreeInPage reports about a sidebar view.
 * @typedef {{ visible: boolean, views: string[], items: string[], rows: Array<{ label: string }>, found?: boolean, welcome?: string, message?: string }} ViewState
 */

/**
 * Waits until the tree view `viewName` shows content that satisfies `accept` (default: any row
 * or welcome content). Until its extension registers the tree's data provider, a view says
 * "There is no data provider…"; if that is still there at the end, the bundle failed to load or
 * activation threw before registering.
 * @param {import('playwright-core').Page} page
 * @param {string} viewName
 * @param {{ timeoutMs?: number, accept?: (view: ViewState) => boolean }} [options]
 * @returns {Promise<ViewState>}
 */
export async function waitForViewContent(page, viewName, { timeoutMs = 30_000, accept } = {}) {
  const ok = accept ?? ((v) => v.rows.length > 0 || !!v.welcome);
  /** @type {ViewState | undefined} */
  let last;
  const hit = await waitFor(
    async () => {
      last = await readView(page, viewName);
      return ok(last);
    },
    timeoutMs,
    200,
  );
  if (hit) return /** @type {ViewState} */ (last);
  throw new Error(
    /no data provider/i.test(last?.message ?? '')
      ? `the "${viewName}" view says "${last?.message}": the extension did not register its tree (failed to load or activate?)`
      : `the "${viewName}" view did not show the expected content within ${timeoutMs} ms; it shows: ` +
          JSON.stringify({ views: last?.views, items: last?.items, welcome: last?.welcome?.slice(0, 200), message: last?.message }),
  );
}
