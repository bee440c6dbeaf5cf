/**
 * Preloaded into a CLI child (`node --require rssProbe.js dist/cli.js …`): on exit, writes the
 * process's peak resident set size in bytes to the file named by INSIGHTS_RSS_FILE, so a test can
 * check that a hostile server did not make memory grow without bound.
 */
import * as fs from 'node:fs';

const file = process.env.INSIGHTS_RSS_FILE;
if (file) {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in kilobytes.
    fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
