/**
 * Storage, proxies and login walls answer 200 with a page where a file was expected: an HTML
 * sign-in or error page, or an XML error document (S3's `<Error><Code>…`, served with 200 by some
 * S3-compatible stores and proxies). Saved as a result it reads as "0 rows" or as garbage, so
 * wherever a CSV or gzip is expected the answer is checked first and refused with one line.
 */
import { InsightError } from './errors';

const GZIP_MAGIC = [0x1f, 0x8b];

/** 'HTML' or 'XML' when the answer is a page or document, not data; undefined otherwise. */
export function markupKind(contentType: string | undefined, head: Uint8Array): 'HTML' | 'XML' | undefined {
  // The bytes win over the label: a gzip is data whatever the Content-Type says.
  if (head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) return undefined;
  let i = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  const start = Buffer.from(head.buffer, head.byteOffset + i, Math.min(head.length - i, 64)).toString('latin1').toLowerCase();
  if (/^<(!doctype html|html[\s>]|head[\s>]|body[\s>]|!--)/.test(start)) return 'HTML';
  if (/^<(\?xml|error[\s>])/.test(start)) return 'XML';
  const ct = (contentType ?? '').toLowerCase();
  if (/text\/html|application\/xhtml/.test(ct)) return 'HTML';
  if (/(application|text)\/([\w.+-]*\+)?xml/.test(ct)) return 'XML';
  return undefined;
}

/** Throws a one-line 'data' error when the answer is markup (see markupKind). */
export function refuseMarkup(contentType: string | undefined, head: Uint8Array, expected: string, from: string, next: string): void {
  const kind = markupKind(contentType, head);
  if (!kind) return;
  const code = kind === 'XML' ? /<Code>([^<]{1,100})<\/Code>/.exec(Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 4096)).toString('utf8'))?.[1] : undefined;
  throw new InsightError('data', `${from} answered with an ${kind} page${code ? ` (${code})` : ''} where ${expected} was expected; nothing was saved.`, { next });
}
