import { InsightError } from './errors';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname.toLowerCase());
}

/**
 * Validates a platform base URL as people type or paste it. `http://` is allowed only for
 * loopback hosts (local sandboxes, tunnels): anything remote must be https so a token never
 * crosses the network in clear text. The result has no trailing slash, no query, no fragment.
 */
export function parseBaseUrl(input: string, what = 'base URL'): URL {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InsightError('usage', `Invalid ${what} "${text}".`, {
      next: 'Enter a full URL such as https://us.posthog.com.',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InsightError('usage', `Invalid ${what} "${text}": only https:// URLs are supported.`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new InsightError('usage', `Refusing ${what} "${url.origin}": remote servers must use https://.`, {
      next: 'Use the https:// address (http:// is only allowed for 127.0.0.1/localhost).',
    });
  }
  if (url.username || url.password) {
    throw new InsightError('usage', `Invalid ${what}: do not put credentials in the URL.`, {
      next: 'Use Set Credentials instead.',
    });
  }
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/** Base URL + path without a doubled or missing slash. */
export function joinUrl(base: URL | string, path: string): URL {
  const b = typeof base === 'string' ? base : base.toString();
  return new URL(b.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, ''));
}
