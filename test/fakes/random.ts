/**
 * The seeded random generator behind every piece of synthetic data: the fakes' fixtures
 * (Canvas, Echo360, PostHog, Studio), the unit tests' random tables and the bench's files.
 *
 * It is mulberry32: 32 bits of state, small and fast, and plenty for plausible numbers (not for
 * anything cryptographic). Seeded rather than Math.random so that the same seed gives the same
 * sequence on every run and machine: tests assert on exact values from the fakes, a failing random
 * case can be replayed from its seed, and bench runs measure the same data. Changing the
 * algorithm changes all of that data, so keep it as it is.
 */

/** A source of numbers in [0, 1), like Math.random. */
export type Rng = () => number;

/** mulberry32 seeded with `seed` (taken as an unsigned 32-bit integer). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
