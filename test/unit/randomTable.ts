/**
 * What the unit tests' random tables share (table.ops.test.ts, chartQuery.test.ts): the reference
 * model of a column (the values a user would see), the value generators, and the plain reference
 * for time buckets. Each test still lays out its own table (columns, empties, how the CSV is
 * written and read); every generator here draws exactly one number from `rand`, so a seed gives
 * the same table as it always has.
 */
import type { DisplayValue, Table, TimeBucket } from '../../src/core/table';
import type { Rng } from '../fakes/random';

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
