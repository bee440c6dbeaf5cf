/**
 * The preview page when its own script does not load (VS Code for the Web answers a resource the
 * service worker lost track of with a 408 after 30 s): the page says so and asks the host for a
 * new page with PAGE_LOAD_FAILED, using the one acquireVsCodeApi() call the bundle never made.
 * When the script loads, the watcher stays silent. Real Chromium, the panel's own HTML and CSP.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { makeNonce, PAGE_LOAD_FAILED, previewHtml } from '../../../src/core/preview/html';
import { skipBecause } from '../../skip';
import { CHROMIUM, launchTestChromium } from '../kit/webviewHarness';

/** A script that behaves like the bundle's start: it takes the API and says ready. */
const GOOD_SCRIPT = "acquireVsCodeApi().postMessage({ type: 'ready', payload: {} });";

describe('preview page: a script that does not load', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: http.Server;
  let origin: string;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) skipBecause(this, `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`, { missingTool: true });
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/') {
        const script = url.searchParams.get('script') ?? '/good.js';
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(previewHtml({ cspSource: origin, nonce: makeNonce(), scriptUri: `${origin}${script}`, styleUris: [], title: 'T' }));
      } else if (url.pathname === '/good.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(GOOD_SCRIPT);
      } else if (url.pathname === '/timeout.js') {
        // What VS Code for the Web's service worker answers when nobody resolved the request.
        res.writeHead(408, { 'content-type': 'text/plain' });
        res.end('Request Timeout');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchTestChromium();
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  });

  /** Loads the page with the given script path; resolves to what it posted and what it shows. */
  async function load(script: string): Promise<{ posted: { type: string }[]; text: string; errors: string[] }> {
    const page = await browser.newPage();
    const posted: { type: string }[] = [];
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.exposeFunction('__post', (m: { type: string }) => posted.push(m));
    await page.addInitScript(() => {
      let taken = false;
      // As in VS Code: the API may be acquired once per page.
      (window as unknown as { acquireVsCodeApi: unknown }).acquireVsCodeApi = () => {
        if (taken) throw new Error('An instance of the VS Code API has already been acquired');
        taken = true;
        return { postMessage: (m: unknown) => (window as unknown as { __post: (m: unknown) => void }).__post(m) };
      };
    });
    await page.goto(`${origin}/?script=${encodeURIComponent(script)}`);
    await page.waitForFunction(() => document.readyState === 'complete');
    await page.waitForTimeout(200); // the exposed binding delivers asynchronously
    const text = (await page.locator('#insight-preview').textContent()) ?? '';
    await page.close();
    return { posted, text, errors };
  }

  it('asks the host for a new page, once, and says what happened when the script answers 408', async () => {
    const r = await load('/timeout.js');
    assert.deepEqual(r.posted, [{ type: PAGE_LOAD_FAILED, payload: {} }]);
    assert.equal(r.text, 'The preview could not load its script; loading it again…');
    assert.deepEqual(r.errors, []);
  });

  it('does the same for a missing script (404)', async () => {
    const r = await load('/missing.js');
    assert.deepEqual(r.posted.map((m) => m.type), [PAGE_LOAD_FAILED]);
  });

  it('stays silent when the script loads: the script alone takes the API and says ready', async () => {
    const r = await load('/good.js');
    assert.deepEqual(r.posted, [{ type: 'ready', payload: {} }]);
    assert.equal(r.text, '');
    assert.deepEqual(r.errors, []);
  });
});
