/** Small helpers the unit tests share: a logger that keeps its lines, and the error a promise rejects with. */
import * as assert from 'node:assert/strict';
import type { Logger } from '../../../src/core/log';

/** A logger keeping each line as "level message". */
export function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The error `p` rejects with, checked to be a `type` (fails the test when `p` resolves). */
export async function failure<E extends Error = Error>(p: Promise<unknown>, type: abstract new (...args: never[]) => E = Error as never): Promise<E> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(e instanceof type, `a${/^[AEIOU]/.test(type.name) ? 'n' : ''} ${type.name}, got ${String(e)}`);
  return e;
}
