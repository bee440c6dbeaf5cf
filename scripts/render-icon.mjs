// @ts-check
// Renders media/icon.svg to media/icon.png (128×128, what the Marketplace, Open VSX and the
// Extensions view show) with the same Chromium the tests use. Run after editing the SVG:
// `npm run icon`. The PNG is committed; the packaging test checks its size.
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium, repoRoot } from './workbench.mjs';

const SIZE = 128;
const svg = fs.readFileSync(path.join(repoRoot, 'media', 'icon.svg'), 'utf8');
const out = path.join(repoRoot, 'media', 'icon.png');

const { browser, close } = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  const png = await page.locator('svg').screenshot({ omitBackground: true, type: 'png' });
  fs.writeFileSync(out, png);
  console.log(`wrote ${path.relative(repoRoot, out)} (${png.length} bytes)`);
} finally {
  await close();
}
