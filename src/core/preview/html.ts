/**
 * The preview webview's HTML. vscode-free so the standalone webview test serves the very same
 * page (same CSP) from a local HTTP server.
 *
 * The CSP allows only our nonce'd script and stylesheets from the bundle folder. The webview's
 * own CSS is applied as a constructable stylesheet (as Lit does for the toolbar components),
 * which style-src does not govern, so neither 'unsafe-inline' nor 'unsafe-eval' is ever needed.
 */
import { randomBytes } from 'node:crypto';

export interface PreviewHtmlOptions {
  /** `webview.cspSource`: the origin the webview may load resources from. */
  cspSource: string;
  nonce: string;
  /** Webview URI of dist/webview.js. */
  scriptUri: string;
  /** Webview URIs of stylesheets (dist/uPlot.min.css). */
  styleUris: string[];
  title: string;
}

/** 144 bits from the OS CSPRNG; base64 is within the CSP nonce grammar. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The message the page posts when its script did not load (see LOAD_WATCH). */
export const PAGE_LOAD_FAILED = 'pageLoadFailed';

/**
 * Runs before the bundle: when the bundle itself fails to load, the page says so and asks the
 * host to load it again. In VS Code for the Web 1.99–1.100 (code-server among them) every
 * webview registers a service worker of its own on one shared origin, and a resource request can
 * go to a worker that no longer answers for it; it fails after 30 s (a 408), and without this the
 * panel would stay blank (microsoft/vscode#245756). acquireVsCodeApi may be called once per page:
 * only here, where the bundle never ran.
 */
const LOAD_WATCH = `window.addEventListener('error', function (e) {
  var t = e.target;
  if (!t || t.tagName !== 'SCRIPT') return;
  var root = document.getElementById('insight-preview');
  if (root) root.textContent = 'The preview could not load its script; loading it again…';
  try { acquireVsCodeApi().postMessage({ type: '${PAGE_LOAD_FAILED}', payload: {} }); } catch (_) {}
}, true);`;

export function previewHtml(o: PreviewHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `img-src ${o.cspSource} data: blob:`,
    `font-src ${o.cspSource}`,
    // No <base> may redirect relative URLs, and no form may post anywhere.
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const links = o.styleUris.map((u) => `<link rel="stylesheet" nonce="${o.nonce}" href="${escapeHtml(u)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${links}
    <title>${escapeHtml(o.title)}</title>
  </head>
  <body>
    <div id="insight-preview"></div>
    <script nonce="${o.nonce}">${LOAD_WATCH}</script>
    <script nonce="${o.nonce}" src="${escapeHtml(o.scriptUri)}"></script>
  </body>
</html>
`;
}
