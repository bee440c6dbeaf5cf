/**
 * What the chart on screen (chart.ts, uPlot on a canvas) and its SVG export (chartSvg.ts) read
 * from a spec the same way: numbers that can be drawn, stacked totals, labels cut to fit. Pure, so
 * both drawings agree and the rules are tested in Node.
 */

/** The number, or null for anything that is not a finite number (null, NaN, text). */
export function finiteOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Series stacked bottom-up in array order: at each x, the running total below each series (`base`)
 * and up to it (`top`). A missing value adds nothing and stays missing in both.
 */
export function stackTotals(series: readonly (number | null)[][], n: number): { base: (number | null)[][]; top: (number | null)[][] } {
  const totals = new Array<number>(n).fill(0);
  const base: (number | null)[][] = [];
  const top: (number | null)[][] = [];
  for (const s of series) {
    base.push(s.map((v, i) => (v === null ? null : totals[i])));
    top.push(
      s.map((v, i) => {
        if (v === null) return null;
        totals[i] += v;
        return totals[i];
      }),
    );
  }
  return { base, top };
}

/** At most `max` characters (code points, so an emoji is never cut in half), '…' when cut. */
export function truncateLabel(label: string, max: number): string {
  const chars = Array.from(label);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : label;
}
