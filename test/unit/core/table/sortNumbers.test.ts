import * as assert from 'node:assert/strict';
import { sortNumbers } from '../../../../src/core/table/aggregate';
import { mulberry32 } from '../../../fakes/random';

/** The order TypedArray#sort gives (-0 before 0), value for value. */
function assertSortedLikeNative(input: Float64Array | Int32Array | Uint8Array, what: string): void {
  const expected = input.slice().sort();
  const got = sortNumbers(input.slice());
  assert.equal(got.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(got[i], expected[i])) assert.fail(`${what}: at ${i} ${String(got[i])}, TypedArray#sort gives ${String(expected[i])}`);
  }
}

describe('table: sortNumbers (column statistics sort numbers in linear time)', () => {
  const r = mulberry32(20261207);
  const n = () => 2048 + Math.floor(r() * 6000); // past the comparison-sort cut-off
  const pick = <T>(xs: (() => T)[]) => xs[Math.floor(r() * xs.length)]();

  it('orders doubles of every sign and size as TypedArray#sort does, -0, infinities and subnormals included', () => {
    for (let t = 0; t < 40; t++) {
      const a = Float64Array.from({ length: n() }, () =>
        pick([
          () => r() * 2e12,
          () => -r() * 1e6,
          () => (r() - 0.5) * 1e300,
          () => 0,
          () => -0,
          () => Math.round(r() * 10),
          () => Infinity,
          () => -Infinity,
          () => 5e-324,
          () => -5e-324,
          () => (r() - 0.5) * 1e-310,
        ]),
      );
      assertSortedLikeNative(a, `doubles, run ${t}`);
    }
  });

  it('orders epoch milliseconds (the digits that never change are skipped) and one repeated value', () => {
    for (let t = 0; t < 20; t++) {
      assertSortedLikeNative(Float64Array.from({ length: n() }, () => Date.UTC(2025, 2, 3) + Math.floor(r() * 604_800_000)), `timestamps, run ${t}`);
    }
    assertSortedLikeNative(new Float64Array(5000).fill(1733000000000), 'one value');
    // Whole numbers in a small range with a -0 among them: -0 still sorts before 0.
    assertSortedLikeNative(Float64Array.from({ length: 5000 }, (_, i) => (i === 77 ? -0 : Math.floor((r() - 0.5) * 50))), 'whole numbers and a -0');
    assertSortedLikeNative(Float64Array.from({ length: 5000 }, () => Math.floor((r() - 0.5) * 2 ** 33)), 'whole numbers past 2^32 apart');
  });

  it('returns input already in order as it is, and sorts input that only looks in order (0 then -0, a NaN inside)', () => {
    const ascending = Float64Array.from({ length: 5000 }, (_, i) => Date.UTC(2025, 2, 3) + i * 997);
    assert.equal(sortNumbers(ascending), ascending);
    assertSortedLikeNative(ascending, 'in order');
    assertSortedLikeNative(Int32Array.from({ length: 5000 }, (_, i) => i >> 3), 'integers in order, repeated');
    const zeros = Float64Array.from({ length: 5000 }, (_, i) => (i < 2500 ? -1 : 0));
    zeros[3000] = -0; // equal to 0 under <, but TypedArray#sort puts it before every 0
    assertSortedLikeNative(zeros, 'a -0 after a 0');
    const nan = Float64Array.from({ length: 5000 }, (_, i) => i);
    nan[10] = NaN; // sorts last
    assertSortedLikeNative(nan, 'a NaN inside');
    const almost = Float64Array.from({ length: 5000 }, (_, i) => i);
    [almost[4998], almost[4999]] = [almost[4999], almost[4998]];
    assertSortedLikeNative(almost, 'the last two swapped');
  });

  it('orders integers of a small range (counted) and of a wide one, and booleans', () => {
    for (let t = 0; t < 20; t++) {
      assertSortedLikeNative(Int32Array.from({ length: n() }, () => Math.floor((r() - 0.5) * 100)), `small range, run ${t}`);
      assertSortedLikeNative(Int32Array.from({ length: n() }, () => Math.floor((r() - 0.5) * 4e9)), `wide range, run ${t}`);
      assertSortedLikeNative(Uint8Array.from({ length: n() }, () => (r() < 0.3 ? 1 : 0)), `booleans, run ${t}`);
    }
    assertSortedLikeNative(Int32Array.from([3, -1, 2]), 'a short array');
  });
});
