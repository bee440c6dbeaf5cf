/**
 * How a histogram's bins read on the x axis, for every chart that draws one: the host's charts
 * of a table (chartQuery.ts) and the charts Canvas and Studio answers call for.
 */

/** A bin edge as text: whole numbers as they are, others to 4 significant digits. */
export function binEdgeText(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number.parseFloat(n.toPrecision(4)));
}

/**
 * Labels of bins `width` wide that start at `lowerEdges`: "10–20" (the upper edge belongs to the
 * next bin), or just the lower edge for bins one unit wide (a score of 42: "42").
 */
export function binLabels(lowerEdges: readonly number[], width: number): string[] {
  return lowerEdges.map((lo) => (width === 1 ? String(lo) : `${binEdgeText(lo)}–${binEdgeText(lo + width)}`));
}
