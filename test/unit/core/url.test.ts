/** Base-URL checks (src/core/url.ts): what people type or paste, and what may carry a token. */
import * as assert from 'node:assert/strict';
import { InsightError } from '../../../src/core/errors';
import { isLoopbackHost, joinUrl, parseBaseUrl } from '../../../src/core/url';

function refused(input: string, message: RegExp, what?: string): void {
  try {
    if (what === undefined) parseBaseUrl(input);
    else parseBaseUrl(input, what);
  } catch (e) {
    assert.ok(e instanceof InsightError, input);
    assert.equal(e.kind, 'usage', input);
    assert.match(e.message, message);
    return;
  }
  assert.fail(`accepted ${input}`);
}

describe('base URLs (parseBaseUrl, joinUrl)', () => {
  it('accepts https anywhere and http only on loopback (127.0.0.1, localhost, ::1, any case)', () => {
    assert.equal(parseBaseUrl('https://us.posthog.com').href, 'https://us.posthog.com/');
    for (const host of ['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]']) assert.equal(parseBaseUrl(`http://${host}:8000`).protocol, 'http:', host);
    for (const host of ['127.0.0.1', 'localhost', 'LocalHost', '[::1]', '::1']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['127.0.0.2', 'localhost.example.com', 'example.com', '0.0.0.0', '']) assert.equal(isLoopbackHost(host), false, host);
  });

  it('refuses remote http, other schemes, credentials in the URL and text that is not a URL, naming what and the next step', () => {
    refused('http://posthog.example.com', /^Refusing base URL "http:\/\/posthog\.example\.com": remote servers must use https:\/\/\. Use the https:\/\/ address \(http:\/\/ is only allowed for 127\.0\.0\.1\/localhost\)\.$/);
    refused('http://127.0.0.2', /^Refusing --base-url "http:\/\/127\.0\.0\.2"/, '--base-url');
    refused('ftp://example.com', /^Invalid base URL "ftp:\/\/example\.com": only https:\/\/ URLs are supported\.$/);
    refused('https://user:pw@example.com', /^Invalid base URL: do not put credentials in the URL\. Use Set Credentials instead\.$/);
    refused('https://user@example.com', /credentials/);
    refused('https://:pw@example.com', /credentials/);
    refused('  not a url  ', /^Invalid base URL "not a url"\. Enter a full URL such as https:\/\/us\.posthog\.com\.$/);
    refused('nope', /^Invalid Echo360 URL "nope"\./, 'Echo360 URL');
  });

  it('drops the query, the fragment and trailing slashes; trims spaces; keeps a path prefix', () => {
    assert.equal(parseBaseUrl('  https://canvas.example.edu/sub///?x=1#frag  ').href, 'https://canvas.example.edu/sub');
    assert.equal(parseBaseUrl('https://canvas.example.edu/').href, 'https://canvas.example.edu/');
    assert.equal(parseBaseUrl('https://a.example/p/q').pathname, '/p/q');
  });

  it('joins a base and a path with exactly one slash', () => {
    for (const base of ['https://a.example/api', 'https://a.example/api/', 'https://a.example/api//'])
      for (const p of ['v1/x', '/v1/x', '//v1/x']) assert.equal(joinUrl(base, p).href, 'https://a.example/api/v1/x', `${base} + ${p}`);
    assert.equal(joinUrl(new URL('https://a.example/'), '/x?y=1').href, 'https://a.example/x?y=1');
  });
});
