/**
 * What the unit tests' random tables share (table.ops.test.ts, chartQuery.test.ts): the reference
 * model of a column (the values a user would see), the value generators, and the plain reference
 * for time buckets. Each test still lays out its own table (columns, empties, how the CSV is
 * written and read); every generator here draws exactly one number from `rand`, so a seed gives
 * the same table as it always has.
 */
import type { DisplayValue, Table, TimeBucket } from '../../../src/core/table';
import type { Rng } from '../../fakes/random';

export type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime';

export interface RefColumn {
  name: string;
  kind: Kind;
  /** What the grid shows (null for empty). */
  shown: DisplayValue[];
  /** Numeric value (epoch ms for dates, 0/1 for booleans), null for empty or text. */
  num: (number | null)[];
}

/** A random table and its reference model. */
export interface RefTable {
  table: Table;
  cols: RefColumn[];
  n: number;
}

/** One cell: `text` goes in the CSV line, `shown` and `num` in the column's reference. */
export function pushCell(line: string[], c: RefColumn, text: string, shown: DisplayValue, num: number | null): void {
  line.push(text);
  c.shown.push(shown);
  c.num.push(num);
}

/** An empty cell. */
export function pushEmpty(line: string[], c: RefColumn): void {
  pushCell(line, c, '', null, null);
}

/** The first day of the dates and times: a Monday. */
export const BASE_MS = Date.UTC(2024, 0, 29);

/** An integer from -20 to 20. */
export const randomInteger = (rand: Rng): number => Math.floor(rand() * 41) - 20;

/** A number from -100 to 100 with two decimals (+ 0: no -0, which CSV writes as 0). */
export const randomNumber = (rand: Rng): number => Math.round((rand() * 200 - 100) * 100) / 100 + 0;

/** Midnight (UTC, epoch ms) of one of 70 days from BASE_MS. */
export const randomDayMs = (rand: Rng): number => BASE_MS + Math.floor(rand() * 70) * 86400000;

/** A whole second (epoch ms) in the 60 days from BASE_MS. */
export const randomInstantMs = (rand: Rng): number => BASE_MS + Math.floor(rand() * 60 * 86400) * 1000;

/** Start of the UTC bucket holding `ms` (weeks start on Monday). */
export function refBucket(ms: number, bucket: TimeBucket): number {
  const d = new Date(ms);
  switch (bucket) {
    case 'hour':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours());
    case 'day':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'week':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
}

/**
 * Text that trips CSV/TSV writers and readers: a lone CR, CRLF and LF inside a value, a value that
 * is only a CR, the delimiters, quotes, leading and trailing spaces, and formula-like text (for
 * the formula guard). Random tables draw their text from these, so every round trip meets them.
 */
export const EDGE_WORDS: readonly string[] = [
  'a\rb',
  'line\r\nbreak',
  'line\nbreak',
  '\r',
  'x, y',
  'tab\there',
  'say "hi"',
  '"',
  ' leading',
  'trailing ',
  '=HYPERLINK("http://example.invalid/","click")',
  '@SUM(A1)',
  '+1',
  '-dash',
  '\t=1+2',
  '\r=cmd',
];

/**
 * Reference text order, written from the documented rule (src/core/table/columns.ts) rather
 * than taken from the product: lower-case, drop every combining mark after canonical
 * decomposition, compare those keys by UTF-16 code units, and break ties by the text itself.
 */
export function refCompareText(a: string, b: string): number {
  const fold = (s: string) => s.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  const ka = fold(a);
  const kb = fold(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/**
 * Reference Largest-Triangle-Three-Buckets downsampling, after Sveinn Steinarsson's original
 * (https://github.com/sveinn-steinarsson/flot-downsample, jquery.flot.downsample.js): keeps the
 * first and last point and, per bucket, the point forming the largest triangle with the point
 * kept before and the average of the next bucket.
 */
export function refLttb(data: [number, number][], threshold: number): [number, number][] {
  const n = data.length;
  if (threshold >= n || threshold === 0) return data.slice();
  const sampled: [number, number][] = [data[0]];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    let avgX = 0;
    let avgY = 0;
    let avgStart = Math.floor((i + 1) * every) + 1;
    const avgEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    const avgLength = avgEnd - avgStart;
    for (; avgStart < avgEnd; avgStart++) {
      avgX += data[avgStart][0];
      avgY += data[avgStart][1];
    }
    avgX /= avgLength;
    avgY /= avgLength;
    let from = Math.floor(i * every) + 1;
    const to = Math.floor((i + 1) * every) + 1;
    const [ax, ay] = data[a];
    let maxArea = -1;
    let next = from;
    for (; from < to; from++) {
      const area = Math.abs((ax - avgX) * (data[from][1] - ay) - (ax - data[from][0]) * (avgY - ay)) * 0.5;
      if (area > maxArea) {
        maxArea = area;
        next = from;
      }
    }
    sampled.push(data[next]);
    a = next;
  }
  sampled.push(data[n - 1]);
  return sampled;
}
