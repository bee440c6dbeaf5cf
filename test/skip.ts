/**
 * The one way a test may skip: with a reason, which `npm test` prints beside the test's title
 * before the totals (a test that skips without one is counted as failed). Skipping because a tool
 * is missing (Chromium, the UI bridge) is a failure instead when `CI` or
 * `INSIGHTS_REQUIRE_ALL=1` is set: CI must run every test.
 *
 *   before(function () { if (!fs.existsSync(CHROMIUM)) skipBecause(this, 'Chromium not found at /usr/bin/chromium', { missingTool: true }); });
 */
import type { Context, Runnable, Suite } from 'mocha';

/** Where the reason is kept: on the skipped test, or on the suite when a hook skips all of it. */
export const SKIP_REASON = '__skipReason';

type WithReason = { [SKIP_REASON]?: string };

/** True when every test must run (CI): missing tools fail instead of skipping. */
export function requireAllTools(): boolean {
  return !!process.env.CI || process.env.INSIGHTS_REQUIRE_ALL === '1';
}

export function skipBecause(ctx: Context, reason: string, opts: { missingTool?: boolean } = {}): never {
  if (opts.missingTool && requireAllTools()) {
    throw new Error(`${reason} — this test cannot run, and CI (CI or INSIGHTS_REQUIRE_ALL=1) does not allow skipping it. Install the missing tool.`);
  }
  const runnable = ctx.test as (Runnable & WithReason) | undefined;
  if (runnable) {
    runnable[SKIP_REASON] = reason;
    // A hook skips every test of its suite.
    if ((runnable as { type?: string }).type === 'hook' && runnable.parent) (runnable.parent as Suite & WithReason)[SKIP_REASON] = reason;
  }
  ctx.skip();
}

/** The reason a pending test was skipped, or undefined when it gave none. */
export function skipReasonOf(test: Runnable): string | undefined {
  for (let r: (Runnable | Suite) & WithReason | undefined = test; r; r = (r as Runnable | Suite).parent as (Suite & WithReason) | undefined) {
    if (r[SKIP_REASON]) return r[SKIP_REASON];
  }
  return undefined;
}
