/** What the chart on screen and the SVG export read alike (webview/chartValues.ts). */
import * as assert from 'node:assert/strict';
import { finiteOrNull, stackTotals, truncateLabel } from '../../../webview/chartValues';

describe('chart values', () => {
  it('cuts labels by characters, never inside an emoji or another surrogate pair', () => {
    assert.equal(truncateLabel('Introduction', 24), 'Introduction');
    assert.equal(truncateLabel('abcdefgh', 5), 'abcd…');
    assert.equal(truncateLabel('abcde', 5), 'abcde', 'exactly the limit is not cut');
    // Each flag and face is two UTF-16 units: cutting by units (the chart's former rule) left half
    // of one behind, drawn as a replacement character on the axis.
    const label = '😀😀😀😀😀😀';
    const cut = truncateLabel(label, 4);
    assert.equal(cut, '😀😀😀…');
    assert.equal(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut), false, 'no lone high surrogate');
    assert.equal(truncateLabel('a😀b😀c', 5), 'a😀b😀c', 'five characters, though seven units');
  });

  it('stacks series bottom-up; a missing value adds nothing and stays missing', () => {
    const { base, top } = stackTotals(
      [
        [1, null, 3],
        [10, 20, null],
        [100, 200, 300],
      ],
      3,
    );
    assert.deepEqual(top, [
      [1, null, 3],
      [11, 20, null],
      [111, 220, 303],
    ]);
    assert.deepEqual(base, [
      [0, null, 0],
      [1, 0, null],
      [11, 20, 3],
    ]);
    assert.deepEqual(stackTotals([], 2), { base: [], top: [] });
  });

  it('only finite numbers are drawn', () => {
    assert.equal(finiteOrNull(2.5), 2.5);
    assert.equal(finiteOrNull(0), 0);
    for (const v of [null, undefined, NaN, Infinity, -Infinity, '3']) assert.equal(finiteOrNull(v), null, String(v));
  });
});
