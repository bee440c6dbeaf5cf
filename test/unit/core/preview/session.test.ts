/**
 * The preview's host side in plain Node: the in-memory data source, message validation, the
 * session's protocol handling (ready → init, view versions, stale windows, loading progress) and
 * the panel HTML's CSP.
 */
import * as assert from 'node:assert/strict';
import type { CellValue, ColumnInfo, HostMessage, HostToWebview } from '../../../../src/protocol';
import { ArrayDataSource } from '../../kit/arrayDataSource';
import { escapeHtml, makeNonce, previewHtml } from '../../../../src/core/preview/html';
import { PreviewSession, type PreviewContent } from '../../../../src/core/preview/session';
import { parseWebviewMessage } from '../../../../src/core/preview/validate';

const COLUMNS: ColumnInfo[] = [
  { name: 'name', type: 'string' },
  { name: 'n', type: 'integer' },
  { name: 'ok', type: 'boolean' },
];
const ROWS: CellValue[][] = [
  ['b', 2, true],
  ['A', null, false],
  ['c', 2, null],
  ['a', 10, true],
  ['item 10', 1, false],
  ['item 2', 1, true],
];

function collector() {
  const lines: { level: string; text: string }[] = [];
  const at = (level: string) => (text: string) => void lines.push({ level, text });
  return { lines, log: { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

function harness(content: PreviewContent) {
  const sent: HostMessage[] = [];
  const { lines, log } = collector();
  const copies: string[] = [];
  const session = new PreviewSession(content, (type, payload) => sent.push({ type, payload } as HostMessage), {
    log,
    onCopy: (t) => void copies.push(t),
  });
  const last = <K extends keyof HostToWebview>(type: K): HostToWebview[K] => {
    const m = [...sent].reverse().find((x) => x.type === type);
    assert.ok(m, `a ${type} message was sent`);
    return m.payload as HostToWebview[K];
  };
  return { session, sent, lines, copies, last };
}

describe('preview: ArrayDataSource', () => {
  it('sorts stably on several keys with nulls last in both directions', async () => {
    const ds = new ArrayDataSource(
      COLUMNS,
      ROWS.map((r) => [...r]),
    );
    assert.equal(await ds.setView({ sort: [{ column: 1, desc: false }] }), 6);
    assert.deepEqual(
      (await ds.window(0, 6)).map((r) => r[0]),
      ['item 10', 'item 2', 'b', 'c', 'a', 'A'],
    );
    await ds.setView({ sort: [{ column: 1, desc: true }] });
    assert.deepEqual(
      (await ds.window(0, 6)).map((r) => r[0]),
      ['a', 'b', 'c', 'item 10', 'item 2', 'A'],
    );
    await ds.setView({
      sort: [
        { column: 1, desc: true },
        { column: 0, desc: true },
      ],
    });
    assert.deepEqual(
      (await ds.window(0, 3)).map((r) => r[0]),
      ['a', 'c', 'b'],
    );
  });

  it('sorts strings case-insensitively and numerically ("item 2" before "item 10"), booleans false first', async () => {
    const ds = new ArrayDataSource(COLUMNS, ROWS);
    await ds.setView({ sort: [{ column: 0, desc: false }] });
    assert.deepEqual(
      (await ds.window(0, 6)).map((r) => r[0]),
      ['A', 'a', 'b', 'c', 'item 2', 'item 10'],
    );
    await ds.setView({ sort: [{ column: 2, desc: false }] });
    assert.deepEqual(
      (await ds.window(0, 6)).map((r) => r[2]),
      [false, false, true, true, true, null],
    );
  });

  it('searches case-insensitively over every cell, never across two cells', async () => {
    const ds = new ArrayDataSource(COLUMNS, ROWS);
    assert.equal(await ds.setView({ sort: [], search: 'ITEM' }), 2);
    assert.equal(await ds.setView({ sort: [], search: '10' }), 2); // 'a' row (n=10) and 'item 10'
    assert.equal(await ds.setView({ sort: [], search: 'false' }), 2);
    assert.equal(await ds.setView({ sort: [], search: 'b2' }), 0, 'no match spanning "b" and 2');
    assert.equal(await ds.setView({ sort: [], search: 'null' }), 0, 'null cells are empty, not "null"');
    assert.equal(await ds.setView({ sort: [{ column: 1, desc: true }], search: 'item' }), 2);
    assert.deepEqual(await ds.window(0, 10), [
      ['item 10', 1, false],
      ['item 2', 1, true],
    ]);
  });

  it('clips windows to the view and grows while loading', async () => {
    const ds = new ArrayDataSource(COLUMNS, ROWS.slice(0, 2), { loading: true });
    let changes = 0;
    ds.onDidChange(() => changes++);
    assert.equal(ds.loading, true);
    assert.deepEqual(await ds.window(1, 10), [ROWS[1]]);
    assert.deepEqual(await ds.window(5, 10), []);
    ds.append(ROWS.slice(2));
    assert.equal(ds.totalRows, 6);
    assert.equal(await ds.setView({ sort: [], search: 'item' }), 2, 'search sees appended rows');
    ds.finishLoading();
    assert.equal(ds.loading, false);
    assert.equal(changes, 2);
  });
});

describe('preview: webview message validation', () => {
  it('accepts well-formed messages and drops extra fields', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', payload: { extra: 1 } }, 3), { type: 'ready', payload: {} });
    assert.deepEqual(
      parseWebviewMessage({ type: 'requestWindow', payload: { requestId: 1, viewVersion: 2, start: 0, count: 200, x: 1 } }, 3),
      { type: 'requestWindow', payload: { requestId: 1, viewVersion: 2, start: 0, count: 200 } },
    );
    assert.deepEqual(parseWebviewMessage({ type: 'setView', payload: { sort: [{ column: 2, desc: true }], search: 'x' } }, 3), {
      type: 'setView',
      payload: { sort: [{ column: 2, desc: true }], search: 'x' },
    });
  });

  it('rejects wrong shapes, types and ranges with a reason', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 7, payload: {} },
      { type: 'ready' },
      { type: 'nope', payload: {} },
      { type: 'requestWindow', payload: { requestId: 1, viewVersion: 1, start: -1, count: 10 } },
      { type: 'requestWindow', payload: { requestId: 1, viewVersion: 1, start: 0, count: 0 } },
      { type: 'requestWindow', payload: { requestId: 1, viewVersion: 1, start: 0, count: 1e9 } },
      { type: 'requestWindow', payload: { requestId: 1.5, viewVersion: 1, start: 0, count: 10 } },
      { type: 'requestWindow', payload: { requestId: 1, viewVersion: 1, start: '0', count: 10 } },
      { type: 'setView', payload: { sort: [{ column: 3, desc: false }], search: '' } },
      { type: 'setView', payload: { sort: [{ column: 0, desc: 'yes' }], search: '' } },
      { type: 'setView', payload: { sort: {}, search: '' } },
      { type: 'setView', payload: { sort: [], search: 'x'.repeat(1001) } },
      { type: 'setView', payload: { sort: [] } },
      { type: 'copy', payload: { text: 5 } },
      { type: 'rendered', payload: { totalRows: 1 } },
    ];
    for (const b of bad) assert.equal(typeof parseWebviewMessage(b, 3), 'string', JSON.stringify(b));
  });
});

describe('preview: session', () => {
  const content = (): PreviewContent => ({
    title: 'T',
    subtitle: 'PostHog · Trends',
    data: new ArrayDataSource(COLUMNS, ROWS),
    chartNote: 'no chart',
  });

  it('sends init only after ready, with the applied view and its version', async () => {
    const h = harness(content());
    assert.equal(h.sent.length, 0);
    await h.session.receive({ type: 'ready', payload: {} });
    const init = h.last('init');
    assert.equal(init.title, 'T');
    assert.equal(init.subtitle, 'PostHog · Trends');
    assert.equal(init.rowsInView, 6);
    assert.equal(init.totalRows, 6);
    assert.deepEqual(init.view, { sort: [], search: '' });
    assert.equal(init.chart, null);
    assert.equal(init.chartNote, 'no chart');
    assert.ok(init.viewVersion > 0);
  });

  it('answers windows of the current view and drops requests made against an older one', async () => {
    const h = harness(content());
    await h.session.receive({ type: 'ready', payload: {} });
    const v1 = h.last('init').viewVersion;
    await h.session.receive({ type: 'requestWindow', payload: { requestId: 1, viewVersion: v1, start: 4, count: 200 } });
    assert.deepEqual(h.last('window'), { requestId: 1, viewVersion: v1, start: 4, rows: ROWS.slice(4) });

    // A window request queued before a view change is answered; one made after it with the old version is not.
    const early = h.session.receive({ type: 'requestWindow', payload: { requestId: 2, viewVersion: v1, start: 0, count: 2 } });
    const change = h.session.receive({ type: 'setView', payload: { sort: [{ column: 0, desc: true }], search: '' } });
    await Promise.all([early, change]);
    assert.equal(h.last('window').requestId, 2);
    const changed = h.last('viewChanged');
    assert.equal(changed.viewVersion, v1 + 1);
    assert.equal(changed.rowsInView, 6);
    const before = h.sent.length;
    await h.session.receive({ type: 'requestWindow', payload: { requestId: 3, viewVersion: v1, start: 0, count: 2 } });
    assert.equal(h.sent.length, before, 'stale request dropped');
    await h.session.receive({ type: 'requestWindow', payload: { requestId: 4, viewVersion: v1 + 1, start: 0, count: 2 } });
    assert.deepEqual(
      h.last('window').rows.map((r) => r[0]),
      ['item 10', 'item 2'],
    );
  });

  it('logs and ignores invalid messages', async () => {
    const h = harness(content());
    await h.session.receive({ type: 'setView', payload: { sort: [{ column: 99, desc: false }], search: '' } });
    await h.session.receive('<script>');
    assert.equal(h.sent.length, 0);
    assert.equal(h.lines.filter((l) => l.level === 'warn').length, 2);
  });

  it('re-applies the view and reports progress as rows arrive', async () => {
    const data = new ArrayDataSource(COLUMNS, ROWS.slice(0, 2), { loading: true });
    const h = harness({ title: 'T', data });
    await h.session.receive({ type: 'ready', payload: {} });
    assert.equal(h.last('init').loading, true);
    await h.session.receive({ type: 'setView', payload: { sort: [], search: 'item' } });
    assert.equal(h.last('viewChanged').rowsInView, 0);
    data.append(ROWS.slice(2));
    data.finishLoading();
    await new Promise((r) => setTimeout(r, 300)); // one throttled refresh for both changes
    assert.deepEqual(h.last('progress'), { totalRows: 6, loading: false });
    assert.equal(h.last('viewChanged').rowsInView, 2);
    assert.equal(h.sent.filter((m) => m.type === 'progress').length, 1);
  });

  it('re-initialises on a new ready (panel shown again) and on new content', async () => {
    const h = harness(content());
    await h.session.receive({ type: 'ready', payload: {} });
    await h.session.receive({ type: 'setView', payload: { sort: [{ column: 1, desc: false }], search: '' } });
    await h.session.receive({ type: 'ready', payload: {} });
    assert.deepEqual(h.last('init').view.sort, [{ column: 1, desc: false }], 'a reloaded webview learns the applied view');
    await h.session.setContent({ title: 'U', data: new ArrayDataSource([{ name: 'x', type: 'number' }], [[1.5]]) });
    const init = h.last('init');
    assert.equal(init.title, 'U');
    assert.deepEqual(init.view, { sort: [], search: '' });
    assert.equal(init.rowsInView, 1);
  });

  it('passes copies to the clipboard hook and reports errors of the data source', async () => {
    const failing: PreviewContent = {
      title: 'F',
      data: {
        columns: COLUMNS,
        totalRows: 1,
        loading: false,
        onDidChange: () => ({ dispose() {} }),
        setView: async () => 1,
        window: async () => {
          throw new Error('column store closed');
        },
      },
    };
    const h = harness(failing);
    await h.session.receive({ type: 'ready', payload: {} });
    await h.session.receive({ type: 'copy', payload: { text: 'a\tb' } });
    assert.deepEqual(h.copies, ['a\tb']);
    await h.session.receive({
      type: 'requestWindow',
      payload: { requestId: 1, viewVersion: h.last('init').viewVersion, start: 0, count: 1 },
    });
    assert.deepEqual(h.last('error'), { message: 'column store closed' });
    assert.ok(h.lines.some((l) => l.level === 'error' && l.text.includes('column store closed')));
  });
});

describe('preview: panel HTML', () => {
  it('has a strict CSP with a fresh nonce, no inline or eval allowances, and escapes the title', () => {
    const nonce = makeNonce();
    assert.notEqual(nonce, makeNonce());
    assert.match(nonce, /^[A-Za-z0-9+/]{24}$/);
    const html = previewHtml({
      cspSource: 'https://x.vscode-cdn.net',
      nonce,
      scriptUri: 'https://x.vscode-cdn.net/dist/webview.js',
      styleUris: ['https://x.vscode-cdn.net/dist/uPlot.min.css'],
      title: '<img src=x onerror=alert(1)>',
    });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}'`));
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
    assert.match(html, /<div id="insight-preview"><\/div>/);
    assert.match(html, new RegExp(`<script nonce="${nonce.replace(/[+/]/g, '\\$&')}" src="https://x.vscode-cdn.net/dist/webview.js">`));
    assert.ok(!html.includes('<img'), 'title escaped');
    assert.equal(escapeHtml(`a"b'<>&`), 'a&#34;b&#39;&#60;&#62;&#38;');
  });
});
