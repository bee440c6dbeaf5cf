/**
 * The SVG chart writer (webview/chartSvg.ts), in plain Node and in Chromium.
 *
 * There is no XML parser among the dependencies (and none is added for this), so the Node half
 * parses every document with `parseXml` below: a small parser that is strict where it matters
 * (balanced tags, one root, quoted and unique attributes, only the five named entities and
 * character references, no characters XML forbids) and hands back a tree to measure. Its own
 * tests feed it broken documents, so a lenient checker cannot pass silently. Geometry is read from
 * that tree: the y scale comes from the grid lines and their tick labels, so "twice the value is
 * twice as tall" and "the stack's top is the sum" are checked against what a reader would see.
 *
 * The Chromium half (Debian's chromium, like preview.webview.test.ts; skipped when it is absent)
 * loads each document twice: as image/svg+xml, through the browser's XML parser, which refuses
 * any ill-formed byte; and inline in an HTML page, whose forgiving parser would turn an unescaped
 * `<img onerror>` into a live element. Counts come from `querySelectorAll`, sizes from layout.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ChartSpec } from '../../../src/protocol';
import { chartToSvg, formatTick, MAX_SCATTER_POINTS, niceTicks, type SvgOptions } from '../../../webview/chartSvg';
import { skipBecause } from '../../skip';
import { CHROMIUM, HOSTILE, SHOTS, launchTestChromium } from '../kit/webviewHarness';

const OPTS: SvgOptions = {
  width: 800,
  height: 420,
  theme: {
    background: '#1e1e1e',
    fg: '#cccccc',
    muted: '#9d9d9d',
    grid: 'rgba(204, 204, 204, 0.12)',
    // Quotes in the font list must be escaped inside the attribute.
    font: '"Segoe WPC", "Segoe UI", sans-serif',
    palette: ['#3794ff', '#d18616', '#89d185', '#b180d7'],
  },
};

// ---- a strict little XML parser ----

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  /** Text directly inside, entities decoded. */
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?/;
const FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function decodeEntities(raw: string, where: string): string {
  return raw.replace(/&([^;&<]*)(;?)/g, (whole, body: string, semi: string) => {
    if (!semi) throw new Error(`bare & in ${where}: ${JSON.stringify(raw.slice(0, 60))}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (body in named) return named[body];
    const m = /^#(?:(\d+)|x([0-9a-fA-F]+))$/.exec(body);
    if (!m) throw new Error(`unknown entity ${whole} in ${where}`);
    const cp = m[1] !== undefined ? Number(m[1]) : parseInt(m[2], 16);
    const ch = cp <= 0x10ffff ? String.fromCodePoint(cp) : '\u0000';
    if (FORBIDDEN.test(ch) || (cp >= 0xd800 && cp <= 0xdfff)) throw new Error(`character reference to a forbidden character ${whole}`);
    return ch;
  });
}

function parseXml(src: string): El {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at ${i}: ${JSON.stringify(src.slice(i, i + 50))}`);
  };
  if (FORBIDDEN.test(src)) fail(`forbidden character U+${src.charCodeAt(src.search(FORBIDDEN)).toString(16)}`);
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))![0];
      i += ws.length;
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0 || src.slice(i + 4, end).includes('--')) fail('bad comment');
        i = end + 3;
      } else return;
    }
  };
  if (src.startsWith('<?xml')) {
    const end = src.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    if (!/^<\?xml version="1\.\d"( encoding="[A-Za-z][\w.-]*")?( standalone="(yes|no)")?\s*\?>$/.test(src.slice(0, end + 2)))
      fail('bad XML declaration');
    i = end + 2;
  }
  skipMisc();
  const element = (): El => {
    if (src[i] !== '<') fail('expected <');
    i++;
    const name = NAME.exec(src.slice(i))?.[0] ?? fail('bad tag name');
    i += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))![0];
      i += ws.length;
      if (src.startsWith('/>', i)) {
        i += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      if (!ws) fail('attributes must be separated by whitespace');
      const attr = NAME.exec(src.slice(i))?.[0] ?? fail('bad attribute name');
      i += attr.length;
      const eq = /^\s*=\s*/.exec(src.slice(i))?.[0] ?? fail(`attribute ${attr} without =`);
      i += eq.length;
      const quote = src[i];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} not quoted`);
      const end = src.indexOf(quote, i + 1);
      if (end < 0) fail('unterminated attribute');
      const raw = src.slice(i + 1, end);
      if (raw.includes('<')) fail(`< in attribute ${attr}`);
      if (attr in attrs) fail(`duplicate attribute ${attr}`);
      attrs[attr] = decodeEntities(raw, `attribute ${attr}`);
      i = end + 1;
    }
    const children: El[] = [];
    let text = '';
    for (;;) {
      if (i >= src.length) fail(`unclosed <${name}>`);
      if (src.startsWith('</', i)) {
        i += 2;
        const close = NAME.exec(src.slice(i))?.[0] ?? fail('bad closing tag');
        if (close !== name) fail(`</${close}> closes <${name}>`);
        i += close.length;
        i += /^\s*/.exec(src.slice(i))![0].length;
        if (src[i] !== '>') fail('bad closing tag');
        i++;
        return { name, attrs, children, text };
      }
      if (src.startsWith('<!--', i)) {
        skipMisc();
        continue;
      }
      if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        text += src.slice(i + 9, end);
        i = end + 3;
        continue;
      }
      if (src[i] === '<') {
        children.push(element());
        continue;
      }
      const next = src.indexOf('<', i);
      const raw = src.slice(i, next < 0 ? src.length : next);
      if (raw.includes(']]>')) fail(']]> in text');
      text += decodeEntities(raw, `<${name}> text`);
      i += raw.length;
    }
  };
  const root = element();
  skipMisc();
  if (i !== src.length) fail('content after the root element');
  return root;
}

// ---- reading the tree ----

function walk(el: El, out: El[] = []): El[] {
  out.push(el);
  for (const c of el.children) walk(c, out);
  return out;
}

const hasClass = (el: El, cls: string) => (el.attrs.class ?? '').split(/\s+/).includes(cls);
const byClass = (root: El, cls: string) => walk(root).filter((e) => hasClass(e, cls));
const byName = (root: El, name: string) => walk(root).filter((e) => e.name === name);
const textOf = (el: El): string => el.text + el.children.map(textOf).join('');
const num = (el: El, attr: string): number => {
  const v = Number(el.attrs[attr]);
  assert.ok(Number.isFinite(v), `${el.name}.${attr} = ${el.attrs[attr]}`);
  return v;
};
/** Texts of the elements under the first element with this class. */
const texts = (root: El, cls: string): string[] => byClass(root, cls).flatMap((g) => g.children.map(textOf));

function render(spec: ChartSpec, opts: SvgOptions = OPTS): { svg: string; root: El } {
  const svg = chartToSvg(spec, opts);
  return { svg, root: parseXml(svg) };
}

function parseTick(label: string): number {
  const m = /^(-?\d+(?:\.\d+)?)([KMBT]?)%?$/.exec(label);
  assert.ok(m, `tick label ${label}`);
  return Number(m[1]) * { '': 1, K: 1e3, M: 1e6, B: 1e9, T: 1e12 }[m[2] as '' | 'K' | 'M' | 'B' | 'T'];
}

/** value → pixel y, read off the drawn grid lines and their labels (not from the module). */
function yScale(root: El): (v: number) => number {
  const lines = byName(byClass(root, 'ip-grid')[0], 'line').filter((l) => l.attrs.y1 === l.attrs.y2);
  const labels = texts(root, 'ip-y-ticks').map(parseTick);
  assert.ok(labels.length >= 2, 'at least two y ticks');
  const ys = lines.slice(0, labels.length).map((l) => num(l, 'y1'));
  const [v0, v1, y0, y1] = [labels[0], labels[labels.length - 1], ys[0], ys[ys.length - 1]];
  return (v) => y0 + ((v - v0) / (v1 - v0)) * (y1 - y0);
}

/** The y ends of a whisker path `Mx,yVy Mx,yVy` (two strokes that skip the box). */
function whiskerYs(d: string): number[] {
  const m = /^M(-?[\d.]+),(-?[\d.]+)V(-?[\d.]+)M(-?[\d.]+),(-?[\d.]+)V(-?[\d.]+)$/.exec(d);
  assert.ok(m, `whisker path ${d}`);
  assert.equal(m[1], m[4], 'one vertical whisker');
  return [m[2], m[3], m[5], m[6]].map(Number);
}

/** The [x, y] points of a path's `d` (M/L absolute pairs). */
function pathPoints(d: string): [number, number][] {
  return [...d.matchAll(/(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

const near = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (±${tol})`);

// ---- test data ----

const days = (start: [number, number, number], count: number): string[] =>
  Array.from({ length: count }, (_, i) => new Date(Date.UTC(start[0], start[1] - 1, start[2] + i)).toISOString().slice(0, 10));

function funnel(): ChartSpec {
  return {
    kind: 'bar',
    title: 'Course sign-up funnel',
    xLabel: 'Step',
    yLabel: 'Users',
    x: { type: 'category', values: ['Visited catalogue', 'Opened course page', 'Started enrolment', 'Enrolled'] },
    series: [{ name: 'Users', values: [4800, 2400, 1200, 600] }],
    annotations: ['100%', '50%', '', '50%'],
  };
}

/** One spec of every kind, with the awkward cases mixed in. */
function allKinds(): ChartSpec[] {
  const d30 = days([2024, 6, 1], 30);
  return [
    funnel(),
    {
      kind: 'line',
      title: 'Line',
      x: { type: 'time', values: d30 },
      series: [
        { name: 'a', values: d30.map((_, i) => (i % 7 === 3 ? null : i * 10)) },
        { name: 'b', values: d30.map(() => 5) },
      ],
    },
    {
      kind: 'area',
      x: { type: 'category', values: ['a', 'b', 'c'] },
      series: [
        { name: 'a', values: [1, 2, 3] },
        { name: 'b', values: [3, null, 1] },
      ],
    },
    {
      kind: 'stackedBar',
      x: { type: 'time', values: d30.slice(0, 5) },
      series: [
        { name: 'a', values: [1, 2, 3, 4, 5] },
        { name: 'b', values: [5, 4, null, 2, 1] },
      ],
    },
    { kind: 'histogram', x: { type: 'category', values: ['0–10', '10–20', '20–30'] }, series: [{ name: 'Students', values: [3, 9, 4] }] },
    {
      kind: 'scatter',
      x: { type: 'number', values: [1, 2, 3, 4] },
      series: [{ name: 'score', values: [10, null, 30, 40] }],
      pointLabels: ['Ana', 'Bo', 'Cy', 'Di'],
      yFormat: 'percent',
    },
    {
      kind: 'box',
      x: { type: 'category', values: ['W1', 'W2'] },
      series: [],
      box: { min: [1, 2], q1: [2, 3], median: [3, 4], q3: [4, 5], max: [5, 6] },
    },
    { kind: 'line', x: { type: 'category', values: ['only'] }, series: [{ name: 'one', values: [7] }] },
    { kind: 'bar', x: { type: 'category', values: ['a', 'b'] }, series: [{ name: 'nulls', values: [null, null] }] },
    { kind: 'line', x: { type: 'time', values: [] }, series: [] },
  ];
}

// ---- tests ----

describe('chartSvg: the strict XML checker used below', () => {
  it('accepts a well-formed document and decodes its text', () => {
    const root = parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a x="1 &amp; 2" y=\'&lt;\'><b>x &gt; y &#60;&#x3e;</b><c/></a>\n');
    assert.equal(root.attrs.x, '1 & 2');
    assert.equal(root.attrs.y, '<');
    assert.equal(textOf(root), 'x > y <>');
  });

  for (const [bad, why] of [
    ['<a><b></a></b>', 'crossed tags'],
    ['<a><b></b>', 'unclosed'],
    ['<a x=1/>', 'unquoted attribute'],
    ['<a x="1" x="2"/>', 'duplicate attribute'],
    ['<a x="1"y="2"/>', 'no space between attributes'],
    ['<a x="<"/>', '< in attribute'],
    ['<a>&nbsp;</a>', 'HTML entity'],
    ['<a>fish & chips</a>', 'bare ampersand'],
    ['<a>x < y</a>', 'bare <'],
    ['<a/><b/>', 'two roots'],
    ['<a>\u0001</a>', 'control character'],
    ['<a>&#1;</a>', 'reference to a control character'],
    ['<a>\uD800</a>', 'lone surrogate'],
    ['<?xml version=1.0?><a/>', 'bad declaration'],
  ] as const) {
    it(`rejects ${why}`, () => assert.throws(() => parseXml(bad)));
  }
});

describe('chartSvg: document', () => {
  it('writes a complete SVG document for every kind and edge case', () => {
    for (const spec of allKinds()) {
      const { svg, root } = render(spec);
      assert.ok(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg '), spec.kind);
      assert.equal(root.name, 'svg');
      assert.equal(root.attrs.xmlns, 'http://www.w3.org/2000/svg');
      assert.equal(root.attrs.viewBox, '0 0 800 420');
      assert.equal(root.attrs.width, '800');
      assert.equal(root.attrs.height, '420');
      assert.equal(root.attrs['font-family'], OPTS.theme.font);
      const bg = byClass(root, 'ip-background')[0];
      assert.equal(bg.attrs.fill, '#1e1e1e');
      assert.equal(bg.attrs.width, '800');
    }
  });

  it('is deterministic and leaves the spec as it was', () => {
    for (const spec of allKinds()) {
      const before = JSON.stringify(spec);
      const a = chartToSvg(spec, OPTS);
      const b = chartToSvg(JSON.parse(before) as ChartSpec, OPTS);
      assert.equal(a, b);
      assert.equal(JSON.stringify(spec), before);
    }
  });

  it('rounds every number in attributes to at most 2 decimals', () => {
    for (const spec of allKinds()) {
      const { root } = render(spec, { ...OPTS, width: 733, height: 377 });
      for (const el of walk(root)) {
        for (const [k, v] of Object.entries(el.attrs)) {
          if (['x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'width', 'height'].includes(k))
            assert.match(v, /^-?\d+(\.\d{1,2})?$/, `${el.name} ${k}=${v}`);
          if (k === 'd' || k === 'transform')
            for (const m of v.match(/-?\d+(\.\d+)?/g) ?? []) assert.match(m, /^-?\d+(\.\d{1,2})?$/, `${k}=${v}`);
        }
      }
    }
  });

  it('draws the title on top, the note at the bottom and the axis labels, y rotated', () => {
    const { root } = render({ ...funnel(), note: 'Categories after the 20th are left out.' });
    const title = byClass(root, 'ip-title')[0];
    assert.equal(textOf(title), 'Course sign-up funnel');
    const plotTop = Math.min(...byName(byClass(root, 'ip-grid')[0], 'line').map((l) => num(l, 'y1')));
    assert.ok(num(title, 'y') < plotTop, 'title above the plot');
    const note = byClass(root, 'ip-note')[0];
    assert.equal(textOf(note), 'Categories after the 20th are left out.');
    assert.ok(num(note, 'y') > 400, 'note at the bottom');
    assert.equal(textOf(byClass(root, 'ip-x-label')[0]), 'Step');
    const yLabel = byClass(root, 'ip-y-label')[0];
    assert.equal(textOf(yLabel), 'Users');
    assert.match(yLabel.attrs.transform, /^rotate\(-90 /);
    // The accessible name is the title too.
    assert.equal(root.attrs['aria-label'], 'Course sign-up funnel');
  });

  it('says "Nothing to chart" (under the title) when there is no x or no series', () => {
    for (const spec of [
      { kind: 'line', title: 'Empty <x>', x: { type: 'time', values: [] }, series: [{ name: 'a', values: [] }] },
      { kind: 'bar', title: 'Empty <x>', x: { type: 'category', values: ['a', 'b'] }, series: [] },
      { kind: 'box', title: 'Empty <x>', x: { type: 'category', values: [] }, series: [] },
    ] as ChartSpec[]) {
      const { root } = render(spec);
      assert.equal(textOf(byClass(root, 'ip-empty')[0]), 'Nothing to chart', spec.kind);
      assert.equal(textOf(byClass(root, 'ip-title')[0]), 'Empty <x>');
      assert.equal(byClass(root, 'ip-bar').length + byClass(root, 'ip-line').length + byClass(root, 'ip-grid').length, 0);
    }
    // A box chart needs no series: its boxes are the data.
    const { root } = render(allKinds().find((s) => s.kind === 'box')!);
    assert.equal(byClass(root, 'ip-empty').length, 0);
  });
});

describe('chartSvg: escaping', () => {
  function hostileSpec(kind: ChartSpec['kind']): ChartSpec {
    return {
      kind,
      title: HOSTILE,
      xLabel: HOSTILE,
      yLabel: `"quoted" & 'single'`,
      x:
        kind === 'scatter'
          ? { type: 'number', values: [1, 2] }
          : { type: 'category', values: [HOSTILE, '</text></svg><script>alert(1)</script>'] },
      series: [
        { name: HOSTILE, values: [1, 2] },
        { name: 'x" onload="alert(1)', values: [2, 1] },
      ],
      annotations: [HOSTILE, '&amp;'],
      pointLabels: [HOSTILE, ']]>'],
      box: { min: [0, 0], q1: [1, 1], median: [2, 2], q3: [3, 3], max: [4, 4] },
      note: `${HOSTILE} & <!-- -->`,
    };
  }

  it('keeps hostile text from user data as text in every place it appears', () => {
    for (const kind of ['bar', 'line', 'area', 'stackedBar', 'histogram', 'scatter', 'box'] as const) {
      const { svg, root } = render(hostileSpec(kind));
      assert.ok(!svg.includes('<img'), `${kind}: no raw <img`);
      assert.ok(!svg.includes('<script'), `${kind}: no raw <script`);
      assert.ok(!svg.includes('<!--'), `${kind}: no raw comment`);
      assert.equal(byName(root, 'img').length + byName(root, 'script').length, 0);
      assert.equal(textOf(byClass(root, 'ip-title')[0]), HOSTILE);
      assert.equal(textOf(byClass(root, 'ip-x-label')[0]), HOSTILE);
      assert.equal(textOf(byClass(root, 'ip-y-label')[0]), `"quoted" & 'single'`);
      assert.equal(textOf(byClass(root, 'ip-note')[0]), `${HOSTILE} & <!-- -->`);
      const legend = byClass(root, 'ip-legend-item').map(textOf);
      assert.deepEqual(legend, [HOSTILE, 'x" onload="alert(1)'], kind);
      // No attribute was broken out of: the only attributes are ours.
      for (const el of walk(root)) assert.ok(!('onload' in el.attrs) && !('onerror' in el.attrs), `${kind}: ${el.name}`);
      if (kind !== 'scatter')
        assert.ok(texts(root, 'ip-x-ticks').includes(HOSTILE.slice(0, 23) + '…'), `${kind}: x label truncated, as text`);
      if (kind === 'bar') assert.deepEqual(texts(root, 'ip-annotations'), [HOSTILE.slice(0, 23) + '…', '&amp;']);
      if (kind === 'scatter')
        assert.deepEqual(byName(root, 'circle').map(textOf), [HOSTILE, ']]>', HOSTILE, ']]>'], 'each series names its points');
    }
  });

  it('escapes theme values that land in attributes', () => {
    const { root } = render(funnel(), { ...OPTS, theme: { ...OPTS.theme, background: 'red" onload="x', palette: ['#000" x="'] } });
    assert.equal(byClass(root, 'ip-background')[0].attrs.fill, 'red" onload="x');
    assert.equal(byClass(root, 'ip-bars')[0].attrs.fill, '#000" x="');
  });

  it('replaces characters XML forbids even when escaped', () => {
    const { root } = render({
      ...funnel(),
      title: 'a\u0000b\u001Bc\uD800d\uFFFEe 😀',
      series: [{ name: 'tab\tok', values: [1, 2, 3, 4] }],
    });
    assert.equal(textOf(byClass(root, 'ip-title')[0]), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe 😀');
  });

  it('never cuts an emoji in half when it truncates a label', () => {
    const label = `${'x'.repeat(22)}😀😀😀`;
    const { root } = render({ kind: 'bar', x: { type: 'category', values: [label] }, series: [{ name: 's', values: [1] }] });
    assert.deepEqual(texts(root, 'ip-x-ticks'), [`${'x'.repeat(22)}😀…`]);
  });
});

describe('chartSvg: y axis', () => {
  it('puts ticks at 1, 2 or 5 × 10^k with compact labels', () => {
    for (const [lo, hi] of [
      [0, 4800],
      [0, 1_234_567],
      [-37, 912],
      [0.001, 0.0134],
      [3, 3],
    ]) {
      const t = niceTicks(lo, hi, 6);
      assert.ok(t.min <= lo && t.max >= hi, `${lo}..${hi} covered by ${t.min}..${t.max}`);
      const mantissa = t.step / 10 ** Math.floor(Math.log10(t.step));
      assert.ok(
        [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9),
        `step ${t.step}`,
      );
      for (let k = 1; k < t.values.length; k++) near(t.values[k] - t.values[k - 1], t.step, t.step * 1e-9, 'even steps');
    }
    assert.equal(formatTick(1200, 200), '1.2K');
    assert.equal(formatTick(1250, 250), '1.25K');
    assert.equal(formatTick(2000, 500), '2K');
    assert.equal(formatTick(1_500_000, 500_000), '1.5M');
    assert.equal(formatTick(3e9, 1e9), '3B');
    assert.equal(formatTick(-1500, 500), '-1.5K');
    assert.equal(formatTick(0.25, 0.05), '0.25');
    assert.equal(formatTick(0, 0.05), '0');
    assert.equal(formatTick(40, 20, true), '40%');
  });

  it('labels the drawn axis compactly, and as percent for yFormat percent', () => {
    const { root } = render(funnel());
    const labels = texts(root, 'ip-y-ticks');
    assert.deepEqual(labels, ['0', '1K', '2K', '3K', '4K', '5K', '6K']);
    const pct = render({
      ...funnel(),
      yFormat: 'percent',
      series: [{ name: 'rate', values: [100, 62.5, 43, 47.3] }],
      annotations: undefined,
    }).root;
    const pl = texts(pct, 'ip-y-ticks');
    assert.ok(
      pl.every((l) => l.endsWith('%')),
      pl.join(' '),
    );
    assert.ok(pl.includes('100%'));
  });

  it('copes with min === max, a single x, all-null series and NaN/Infinity', () => {
    const cases: ChartSpec[] = [
      { kind: 'line', x: { type: 'category', values: ['a', 'b', 'c'] }, series: [{ name: 'flat', values: [5, 5, 5] }] },
      { kind: 'line', x: { type: 'time', values: ['2024-06-01'] }, series: [{ name: 'one', values: [5] }] },
      { kind: 'bar', x: { type: 'category', values: ['a'] }, series: [{ name: 'one', values: [-3] }] },
      { kind: 'scatter', x: { type: 'number', values: [2, 2] }, series: [{ name: 'same', values: [1, 1] }] },
      { kind: 'line', x: { type: 'category', values: ['a', 'b'] }, series: [{ name: 'none', values: [null, null] }] },
      { kind: 'bar', x: { type: 'category', values: ['a', 'b', 'c'] }, series: [{ name: 'bad', values: [NaN, Infinity, -Infinity] }] },
    ];
    for (const spec of cases) {
      const { svg, root } = render(spec);
      assert.ok(!/NaN|Infinity/.test(svg), `${spec.series[0].name}: no NaN in the document`);
      const labels = texts(root, 'ip-y-ticks').map(parseTick);
      assert.ok(labels.length >= 2, `${spec.series[0].name}: y ticks`);
      assert.equal(new Set(labels).size, labels.length, `${spec.series[0].name}: distinct ticks`);
    }
    // The flat line sits inside the axis, not on an edge of a zero-height range.
    const flat = render(cases[0]).root;
    const y = yScale(flat);
    const pts = pathPoints(byClass(flat, 'ip-line')[0].attrs.d);
    assert.equal(pts.length, 3);
    for (const [, py] of pts) near(py, y(5), 0.02, 'flat line at 5');
    // A single negative bar hangs from 0 down to -3.
    const neg = render(cases[2]).root;
    const ny = yScale(neg);
    const rect = byClass(neg, 'ip-bar')[0];
    near(num(rect, 'y'), ny(0), 0.02, 'top at 0');
    near(num(rect, 'y') + num(rect, 'height'), ny(-3), 0.02, 'bottom at -3');
    // Nothing drawn for nulls and non-finite values.
    assert.equal(byClass(render(cases[4]).root, 'ip-line').length, 0);
    assert.equal(byClass(render(cases[5]).root, 'ip-bar').length, 0);
  });
});

describe('chartSvg: bars', () => {
  it('draws one rect per non-null value, from zero, height proportional to the value', () => {
    const spec: ChartSpec = {
      kind: 'bar',
      x: { type: 'category', values: ['a', 'b', 'c', 'd', 'e'] },
      series: [{ name: 's', values: [10, 20, null, 5, NaN] }],
    };
    const { root } = render(spec);
    const rects = byClass(root, 'ip-bar');
    assert.equal(rects.length, 3);
    const [a, b, d] = rects;
    near(num(b, 'height'), 2 * num(a, 'height'), 0.03, 'twice the value, twice as tall');
    near(num(a, 'height'), 2 * num(d, 'height'), 0.03, 'twice the value, twice as tall');
    const y = yScale(root);
    for (const [r, v] of [
      [a, 10],
      [b, 20],
      [d, 5],
    ] as const) {
      near(num(r, 'y') + num(r, 'height'), y(0), 0.02, 'bar starts at 0');
      near(num(r, 'y'), y(v), 0.02, `bar top at ${v}`);
    }
    // Centred in their own slots, left to right.
    assert.ok(num(a, 'x') < num(b, 'x') && num(b, 'x') < num(d, 'x'));
    assert.equal(byClass(root, 'ip-legend').length, 0, 'one series: no legend');
  });

  it('groups several series side by side within each category, with a legend', () => {
    const { root } = render({
      kind: 'bar',
      x: { type: 'category', values: ['a', 'b'] },
      series: [
        { name: 'one', values: [1, 2] },
        { name: 'two', values: [2, null] },
        { name: 'three', values: [3, 1] },
      ],
    });
    const groups = byClass(root, 'ip-bars');
    assert.deepEqual(
      groups.map((g) => g.attrs.fill),
      ['#3794ff', '#d18616', '#89d185'],
      'palette order',
    );
    const [one, two, three] = groups.map((g) => g.children.filter((c) => hasClass(c, 'ip-bar')));
    assert.deepEqual([one.length, two.length, three.length], [2, 1, 2]);
    // In category a: one, two, three from left to right, not overlapping.
    assert.ok(num(one[0], 'x') + num(one[0], 'width') <= num(two[0], 'x') + 0.01);
    assert.ok(num(two[0], 'x') + num(two[0], 'width') <= num(three[0], 'x') + 0.01);
    near(num(three[0], 'height'), 3 * num(one[0], 'height'), 0.05, '3 vs 1');
    // All of a's bars left of b's.
    assert.ok(num(three[0], 'x') < num(one[1], 'x'));
    assert.deepEqual(byClass(root, 'ip-legend-item').map(textOf), ['one', 'two', 'three']);
    assert.deepEqual(
      byClass(root, 'ip-legend-item').map((g) => g.children[0].attrs.fill),
      ['#3794ff', '#d18616', '#89d185'],
    );
  });

  it('stacks series bottom-up, the top of the stack at the sum', () => {
    const spec: ChartSpec = {
      kind: 'stackedBar',
      x: { type: 'category', values: ['a', 'b', 'c'] },
      series: [
        { name: 'first', values: [3, 1, null] },
        { name: 'second', values: [2, null, 4] },
        { name: 'third', values: [5, 6, 1] },
      ],
    };
    const { root } = render(spec);
    const y = yScale(root);
    const [first, second, third] = byClass(root, 'ip-bars').map((g) => g.children.filter((c) => hasClass(c, 'ip-bar')));
    assert.deepEqual([first.length, second.length, third.length], [2, 2, 3]);
    const top = (r: El) => num(r, 'y');
    const bottom = (r: El) => num(r, 'y') + num(r, 'height');
    // Category a: 0–3, 3–5, 5–10.
    near(bottom(first[0]), y(0), 0.02, 'a first from 0');
    near(top(first[0]), y(3), 0.02, 'a first to 3');
    near(bottom(second[0]), y(3), 0.02, 'a second from 3');
    near(top(second[0]), y(5), 0.02, 'a second to 5');
    near(top(third[0]), y(10), 0.02, 'a top = 3 + 2 + 5');
    // Category b: the missing second adds nothing: third sits on first (1), top at 7.
    near(bottom(third[1]), y(1), 0.02, 'b third from 1');
    near(top(third[1]), y(7), 0.02, 'b top = 1 + 6');
    // c: 0–4 then 4–5.
    near(top(third[2]), y(5), 0.02, 'c top = 4 + 1');
    // One column per category: same x for every series.
    assert.equal(first[0].attrs.x, third[0].attrs.x);
  });

  it('draws histogram bins as adjacent bars', () => {
    const { root } = render({
      kind: 'histogram',
      xLabel: 'Score',
      x: { type: 'category', values: ['0–10', '10–20', '20–30', '30–40'] },
      series: [{ name: 'Students', values: [2, 8, 4, 0] }],
    });
    const rects = byClass(root, 'ip-bar');
    assert.equal(rects.length, 4, 'a zero count is still a (flat) bar');
    for (let i = 1; i < rects.length; i++) {
      const gap = num(rects[i], 'x') - (num(rects[i - 1], 'x') + num(rects[i - 1], 'width'));
      assert.ok(gap >= -0.02 && gap < 0.03 * num(rects[i], 'width'), `bins touch (gap ${gap})`);
    }
    near(num(rects[1], 'height'), 4 * num(rects[0], 'height'), 0.05, '8 vs 2');
    assert.equal(num(rects[3], 'height'), 0);
  });

  it('writes annotations just above the tallest bar of each x', () => {
    const { root } = render(funnel());
    const notes = byClass(root, 'ip-annotation');
    assert.deepEqual(notes.map(textOf), ['100%', '50%', '50%'], 'empty labels are skipped');
    const rects = byClass(root, 'ip-bar');
    for (const [note, rect] of [
      [notes[0], rects[0]],
      [notes[1], rects[1]],
      [notes[2], rects[3]],
    ]) {
      const above = num(rect, 'y') - num(note, 'y');
      assert.ok(above > 0 && above < 12, `label ${textOf(note)} sits just above its bar (${above}px)`);
      near(num(note, 'x'), num(rect, 'x') + num(rect, 'width') / 2, 0.02, 'centred');
    }
    // Headroom: the tallest bar's label stays inside the plot.
    const plotTop = Math.min(...byName(byClass(root, 'ip-grid')[0], 'line').map((l) => num(l, 'y1')));
    assert.ok(num(notes[0], 'y') - 11 >= plotTop - 0.5, 'label inside the plot');
  });
});

describe('chartSvg: lines, areas, scatter, box', () => {
  it('breaks a line at nulls and non-finite values: one path per unbroken run', () => {
    const values = [1, 2, null, 4, 5, 6, null, null, 9, NaN, 11, 12];
    const { root } = render({
      kind: 'line',
      x: { type: 'category', values: values.map((_, i) => `c${i}`) },
      series: [{ name: 's', values }],
    });
    const paths = byClass(root, 'ip-line');
    assert.deepEqual(
      paths.map((p) => pathPoints(p.attrs.d).length),
      [2, 3, 1, 2],
    );
    assert.match(paths[2].attrs.d, /h0$/, 'a lone point is drawn as a dot');
    const y = yScale(root);
    const first = pathPoints(paths[0].attrs.d);
    near(first[0][1], y(1), 0.02, 'y of 1');
    near(first[1][1], y(2), 0.02, 'y of 2');
    assert.equal(paths[0].attrs.stroke, '#3794ff');
  });

  it('stacks areas bottom-up and fills them at 35%', () => {
    const { root } = render({
      kind: 'area',
      x: { type: 'category', values: ['a', 'b', 'c'] },
      series: [
        { name: 'low', values: [1, 2, 3] },
        { name: 'high', values: [4, 4, 4] },
      ],
    });
    const y = yScale(root);
    const fills = byClass(root, 'ip-area-fill');
    assert.equal(fills.length, 2);
    assert.ok(fills.every((f) => f.attrs['fill-opacity'] === '0.35'));
    const [low, high] = byClass(root, 'ip-areas').map((g) => pathPoints(g.children.find((c) => hasClass(c, 'ip-line'))!.attrs.d));
    low.forEach(([, py], i) => near(py, y(i + 1), 0.02, 'low series at its values'));
    high.forEach(([, py], i) => near(py, y(i + 1 + 4), 0.02, 'high series on top of low'));
    // The low fill goes down to zero; the high one down to the low line.
    const lowFill = pathPoints(fills[0].attrs.d);
    near(Math.max(...lowFill.map(([, py]) => py)), y(0), 0.02, 'filled to zero');
    const highFill = pathPoints(fills[1].attrs.d);
    near(Math.max(...highFill.map(([, py]) => py)), y(1), 0.02, 'filled down to the series below');
  });

  it('draws one small circle per scatter point, named by pointLabels, at most 20,000', () => {
    const xs = [0.5, 1, 1.5, 2, 10];
    const { root } = render({
      kind: 'scatter',
      x: { type: 'number', values: xs },
      series: [{ name: 's', values: [1, null, 3, Infinity, 5] }],
      pointLabels: ['Ana', 'Bo', 'Cy', 'Di', 'Ed'],
    });
    const circles = byName(root, 'circle');
    assert.equal(circles.length, 3);
    assert.ok(circles.every((c) => c.attrs.r === '2.5'));
    assert.deepEqual(circles.map(textOf), ['Ana', 'Cy', 'Ed']);
    // A number axis: x positions proportional to the values (0.5 → 1.5 is an eighth of 0.5 → 10.5... measured).
    const [a, c, e] = circles.map((el) => num(el, 'cx'));
    near((c - a) / (e - a), (1.5 - 0.5) / (10 - 0.5), 0.002, 'linear x');
    const xt = texts(root, 'ip-x-ticks').map(parseTick);
    assert.ok(xt[0] <= 0.5 && xt[xt.length - 1] >= 10, `x ticks cover the data: ${xt.join(' ')}`);

    const many = 25_000;
    const big = render({
      kind: 'scatter',
      x: { type: 'number', values: Array.from({ length: many }, (_, i) => i) },
      series: [{ name: 's', values: Array.from({ length: many }, (_, i) => i % 100) }],
    });
    assert.equal(byName(big.root, 'circle').length, MAX_SCATTER_POINTS);
  });

  it('draws a box per category: whisker min–max, box q1–q3, median between', () => {
    const spec: ChartSpec = {
      kind: 'box',
      x: { type: 'category', values: ['W1', 'W2', 'W3', 'W4'] },
      series: [],
      box: { min: [1, 2, null, 0], q1: [2, 4, 1, null], median: [3, 5, 2, 1], q3: [6, 9, 3, 2], max: [10, 12, 4, 3] },
    };
    const { root } = render(spec);
    const boxes = byClass(root, 'ip-box');
    assert.equal(boxes.length, 3, 'W4 has no q1: no box');
    assert.equal(byClass(root, 'ip-legend').length, 0, 'no legend without series');
    const y = yScale(root);
    const five = [
      [1, 2, 3, 6, 10],
      [2, 4, 5, 9, 12],
    ];
    boxes.slice(0, 2).forEach((g, i) => {
      const [min, q1, median, q3, max] = five[i];
      const rect = g.children.find((c) => hasClass(c, 'ip-iqr'))!;
      const med = g.children.find((c) => hasClass(c, 'ip-median'))!;
      const whisker = whiskerYs(g.children.find((c) => hasClass(c, 'ip-whisker'))!.attrs.d);
      const caps = g.children.filter((c) => hasClass(c, 'ip-cap'));
      near(num(rect, 'y'), y(q3), 0.02, 'box top at q3');
      near(num(rect, 'y') + num(rect, 'height'), y(q1), 0.02, 'box bottom at q1');
      const my = num(med, 'y1');
      assert.ok(my > num(rect, 'y') && my < num(rect, 'y') + num(rect, 'height'), 'median inside the box');
      near(my, y(median), 0.02, 'median');
      const wy = whisker;
      near(Math.max(...wy), y(min), 0.02, 'whisker down to min');
      near(Math.min(...wy), y(max), 0.02, 'whisker up to max');
      assert.deepEqual(
        caps.map((cap) => num(cap, 'y1')).sort((p, q) => p - q),
        [y(max), y(min)].map((v) => Math.round(v * 100) / 100).sort((p, q) => p - q),
      );
    });
    assert.ok(
      num(
        boxes[0].children.find((c) => hasClass(c, 'ip-iqr'))!,
        'x',
      ) <
        num(
          boxes[1].children.find((c) => hasClass(c, 'ip-iqr'))!,
          'x',
        ),
    );
    // Series over the boxes are points, and then they get a legend.
    const withPoints = render({ ...spec, series: [{ name: 'Ana', values: [3, 4, null, 1] }] }).root;
    assert.equal(byName(withPoints, 'circle').length, 3);
    assert.deepEqual(byClass(withPoints, 'ip-legend-item').map(textOf), ['Ana']);
  });
});

describe('chartSvg: x axis', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('puts day-span time ticks on UTC dates, at the right places', () => {
    const values = days([2024, 6, 1], 30);
    const spec: ChartSpec = { kind: 'line', x: { type: 'time', values }, series: [{ name: 's', values: values.map((_, i) => i) }] };
    const outputs = ['America/Los_Angeles', 'Asia/Tokyo'].map((tz) => {
      process.env.TZ = tz;
      return chartToSvg(spec, OPTS);
    });
    assert.equal(outputs[0], outputs[1], 'same file in every time zone');
    const root = parseXml(outputs[0]);
    const labels = texts(root, 'ip-x-ticks');
    // 30 days on 800px: weekly ticks, on Mondays.
    assert.deepEqual(labels, ['2024-06-03', '2024-06-10', '2024-06-17', '2024-06-24']);
    const pts = pathPoints(byClass(root, 'ip-line')[0].attrs.d);
    assert.equal(pts.length, 30);
    // The tick for June 3rd sits on the third point (index 2), June 24th on index 23.
    const tickX = byName(byClass(root, 'ip-grid')[0], 'line')
      .filter((l) => l.attrs.x1 === l.attrs.x2)
      .map((l) => num(l, 'x1'));
    near(tickX[0], pts[2][0], 0.02, 'June 3 tick');
    near(tickX[3], pts[23][0], 0.02, 'June 24 tick');
  });

  it('adds HH:mm when the span is under 3 days, and uses months over a year', () => {
    const hours = Array.from({ length: 48 }, (_, i) => new Date(Date.UTC(2024, 2, 9, i)).toISOString().slice(0, 16));
    process.env.TZ = 'America/New_York'; // DST starts on 2024-03-10 there: UTC ticks must not shift.
    const h = render({ kind: 'line', x: { type: 'time', values: hours }, series: [{ name: 's', values: hours.map((_, i) => i) }] }).root;
    const hl = texts(h, 'ip-x-ticks');
    assert.ok(hl.length >= 3, hl.join(' | '));
    for (const l of hl) assert.match(l, /^2024-03-(09|10) (00|06|12|18):00$/);
    assert.ok(hl.includes('2024-03-10 00:00'));

    const year = days([2023, 1, 15], 365);
    const y = render({ kind: 'area', x: { type: 'time', values: year }, series: [{ name: 's', values: year.map(() => 1) }] }).root;
    const yl = texts(y, 'ip-x-ticks');
    assert.ok(yl.length >= 4 && yl.length <= 12, yl.join(' | '));
    for (const l of yl) assert.match(l, /^20(23|24)-\d{2}-01$/, 'first of a month');
    assert.ok(yl.includes('2023-07-01') && !yl.includes('2023-01-01'), yl.join(' | '));

    const one = render({ kind: 'line', x: { type: 'time', values: ['2024-06-01T15:45'] }, series: [{ name: 's', values: [1] }] }).root;
    assert.deepEqual(texts(one, 'ip-x-ticks'), ['2024-06-01 15:45']);
    const oneDay = render({ kind: 'line', x: { type: 'time', values: ['2024-06-01'] }, series: [{ name: 's', values: [1] }] }).root;
    assert.deepEqual(texts(oneDay, 'ip-x-ticks'), ['2024-06-01']);
  });

  it('writes bar dates as UTC days and thins category labels to fit, truncating at 24 chars', () => {
    process.env.TZ = 'America/Los_Angeles';
    const d = render({
      kind: 'bar',
      x: { type: 'time', values: ['2024-06-01T00:00:00Z', '2024-06-02T00:00:00Z'] },
      series: [{ name: 's', values: [1, 2] }],
    }).root;
    assert.deepEqual(texts(d, 'ip-x-ticks'), ['2024-06-01', '2024-06-02']);

    const few = render({ kind: 'bar', x: { type: 'category', values: ['a', 'b', 'c'] }, series: [{ name: 's', values: [1, 2, 3] }] }).root;
    assert.deepEqual(texts(few, 'ip-x-ticks'), ['a', 'b', 'c'], 'all labels while they fit');

    const cats = Array.from({ length: 200 }, (_, i) => `Category number ${i} with a long name`);
    const { root } = render({ kind: 'bar', x: { type: 'category', values: cats }, series: [{ name: 's', values: cats.map((_, i) => i) }] });
    const labels = texts(root, 'ip-x-ticks');
    assert.equal(byClass(root, 'ip-bar').length, 200, 'every bar drawn');
    assert.ok(labels.length > 2 && labels.length < 10, `thinned to ${labels.length}`);
    assert.equal(labels[0], 'Category number 0 with …');
    assert.equal(Array.from(labels[0]).length, 24);
    const step = Number(/number (\d+)/.exec(labels[1])![1]);
    labels.forEach((l, k) => assert.ok(l.startsWith(`Category number ${k * step} `), `every ${step}th: ${l}`));
    // Labels stay on the canvas and do not overlap (at the ~6.5px per character the module assumes).
    const xs = byName(byClass(root, 'ip-x-ticks')[0], 'text').map((t) => num(t, 'x'));
    const half = (24 * 6.5) / 2;
    assert.ok(xs[0] - half >= 0 && xs[xs.length - 1] + half <= 800, `inside: ${xs[0]}, ${xs[xs.length - 1]}`);
    for (let k = 1; k < xs.length; k++) assert.ok(xs[k] - xs[k - 1] >= 2 * half, `room for a label: ${xs.join(' ')}`);
    // Each label stands under its own category's tick.
    const tickX = byName(byClass(root, 'ip-grid')[0], 'line')
      .filter((l) => l.attrs.x1 === l.attrs.x2)
      .map((l) => num(l, 'x1'));
    xs.forEach((x, k) => near(x, tickX[k], 0.02, `label ${k} on its tick`));
  });
});

// ---- in a real browser ----

describe('chartSvg in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let page: Page;
  const dialogs: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) skipBecause(this, `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`, { missingTool: true });
    browser = await launchTestChromium();
    page = await (await browser.newContext({ viewport: { width: 820, height: 440 } })).newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  /** Loads the document through the browser's XML parser; resolves to the parse error, or ''. */
  async function xmlParseError(svg: string): Promise<string> {
    await page.goto(`data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`);
    return page.evaluate(() => {
      const err = document.querySelector('parsererror');
      if (err) return err.textContent ?? 'parsererror';
      const root = document.documentElement;
      return root.localName === 'svg' && root.namespaceURI === 'http://www.w3.org/2000/svg' ? '' : `root is ${root.localName}`;
    });
  }

  it('parses every kind with the browser’s strict XML parser', async () => {
    for (const spec of allKinds()) assert.equal(await xmlParseError(chartToSvg(spec, OPTS)), '', spec.kind);
    // The check can fail: an unescaped label is a parse error.
    assert.notEqual(await xmlParseError(chartToSvg(funnel(), OPTS).replace('Course sign-up funnel</text>', `${HOSTILE}</text>`)), '');
  });

  it('renders hostile labels as text in an HTML page, never as elements', async () => {
    const spec: ChartSpec = {
      kind: 'bar',
      title: HOSTILE,
      x: { type: 'category', values: [HOSTILE, 'b'] },
      series: [
        { name: HOSTILE, values: [1, 2] },
        { name: 'two', values: [2, 1] },
      ],
      annotations: [HOSTILE, ''],
      note: HOSTILE,
    };
    const svg = chartToSvg(spec, OPTS);
    assert.equal(await xmlParseError(svg), '');
    await page.goto('about:blank');
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    await page.waitForTimeout(100);
    const seen = await page.evaluate(() => ({
      imgs: document.querySelectorAll('img').length,
      scripts: document.querySelectorAll('script').length,
      svgs: document.querySelectorAll('svg').length,
      title: document.querySelector('.ip-title')?.textContent,
      legend: [...document.querySelectorAll('.ip-legend-item')].map((e) => e.textContent),
      note: document.querySelector('.ip-note')?.textContent,
      text: document.body.textContent ?? '',
    }));
    assert.equal(seen.imgs, 0, 'no <img> element');
    assert.equal(seen.scripts, 0);
    assert.equal(seen.svgs, 1);
    assert.equal(seen.title, HOSTILE);
    assert.deepEqual(seen.legend, [HOSTILE, 'two']);
    assert.equal(seen.note, HOSTILE);
    assert.ok(seen.text.includes(HOSTILE));
    assert.deepEqual(dialogs, [], 'no alert ran');
    // The check can fail: the same label unescaped becomes an element.
    await page.setContent(
      `<!doctype html><html><body><svg xmlns="http://www.w3.org/2000/svg"><text>${HOSTILE.replace('onerror=alert(1)', '')}</text></svg></body></html>`,
    );
    assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 1);
  });

  it('draws the marks the data asks for, with the sizes it asks for', async () => {
    const show = async (spec: ChartSpec, shot?: string) => {
      const svg = chartToSvg(spec, OPTS);
      assert.equal(await xmlParseError(svg), '', spec.kind);
      await page.goto('about:blank');
      await page.setContent(`<!doctype html><html><body style="margin:0;background:#000">${svg}</body></html>`);
      if (shot) await page.screenshot({ path: path.join(SHOTS, `chart-svg-${shot}.png`) });
    };
    const count = (sel: string) => page.evaluate((s) => document.querySelectorAll(s).length, sel);
    const heights = (sel: string) =>
      page.evaluate((s) => [...document.querySelectorAll(s)].map((e) => e.getBoundingClientRect().height), sel);

    // Labels '100%', '50%', '', '50%': the second has no bar, the third no text.
    await show({ ...funnel(), series: [{ name: 'Users', values: [4800, null, 1200, 600] }] }, 'funnel');
    assert.equal(await count('rect.ip-bar'), 3);
    const [h4800, h1200, h600] = await heights('rect.ip-bar');
    near(h4800, 4 * h1200, 0.1, '4× the value, 4× as tall (layout)');
    near(h1200, 2 * h600, 0.1, 'twice the value, twice as tall (layout)');
    assert.equal(await count('.ip-annotation'), 2, 'no label over the missing bar');

    await show(
      {
        kind: 'stackedBar',
        title: 'Stacked',
        x: { type: 'time', values: days([2024, 6, 1], 6) },
        series: [
          { name: 'a', values: [1, 2, 3, null, 5, 6] },
          { name: 'b', values: [6, 5, 4, 3, null, 1] },
        ],
      },
      'stacked',
    );
    assert.equal(await count('rect.ip-bar'), 10);
    const stack = await page.evaluate(() => {
      const col = (g: number, i: number) =>
        document.querySelectorAll('g.ip-bars')[g].querySelectorAll('rect.ip-bar')[i].getBoundingClientRect();
      return {
        aTop: col(0, 0).top,
        aBottom: col(0, 0).bottom,
        bTop: col(1, 0).top,
        bBottom: col(1, 0).bottom,
        bHeight: col(1, 0).height,
        aHeight: col(0, 0).height,
      };
    });
    near(stack.bBottom, stack.aTop, 0.5, 'b sits on a');
    near(stack.bHeight, 6 * stack.aHeight, 0.5, '6 vs 1');

    const values = [1, 2, null, 4, 5, null, 7];
    await show(
      {
        kind: 'line',
        title: 'Gaps',
        x: { type: 'category', values: values.map((_, i) => `d${i}`) },
        series: [
          { name: 's', values },
          { name: 't', values: [2, 2, 2, 2, 2, 2, 2] },
        ],
      },
      'line',
    );
    assert.equal(await count('.ip-area-fill'), 0);
    assert.deepEqual(
      await page.evaluate(() => [...document.querySelectorAll('g.ip-lines')].map((g) => g.querySelectorAll('path.ip-line').length)),
      [3, 1],
      'one path per unbroken run',
    );

    const n = 500;
    await show(
      {
        kind: 'scatter',
        title: 'Scatter',
        x: { type: 'number', values: Array.from({ length: n }, (_, i) => i) },
        series: [{ name: 's', values: Array.from({ length: n }, (_, i) => (i % 10 === 0 ? null : (i * 7919) % 100)) }],
      },
      'scatter',
    );
    assert.equal(await count('.ip-points circle'), 450);

    await show(
      {
        kind: 'box',
        title: 'Minutes watched per week',
        x: { type: 'category', values: ['W1', 'W2', 'W3'] },
        series: [],
        box: { min: [1, 2, 0], q1: [3, 4, 2], median: [5, 5, 3], q3: [7, 8, 6], max: [10, 12, 9] },
      },
      'box',
    );
    assert.equal(await count('g.ip-box'), 3);
    const boxes = await page.evaluate(() =>
      [...document.querySelectorAll('g.ip-box')].map((g) => {
        const r = g.querySelector('.ip-iqr')!.getBoundingClientRect();
        const m = g.querySelector('.ip-median')!.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, median: (m.top + m.bottom) / 2 };
      }),
    );
    for (const b of boxes) assert.ok(b.median > b.top && b.median < b.bottom, 'median between q3 and q1');
  });
});
