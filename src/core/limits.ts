/**
 * The limits that keep a hostile or broken server from hanging or exhausting Insight Explorer:
 * how large one JSON/text answer may be, how long one request may take, and how many pages and
 * bytes one listing may fetch. Set per HttpClient (the extension from its settings, the CLI from
 * `--max-body-mb` / `--timeout`); the defaults are generous for real analytics answers.
 */
import { StringDecoder } from 'node:string_decoder';
import { InsightError } from './errors';

export const MB = 1024 * 1024;

/** 256 MB: far above any real listing page or insight result, far below what kills a process. */
export const DEFAULT_MAX_BODY_BYTES = 256 * MB;
/** 300 s for one request, connect to last body byte, retries included. */
export const DEFAULT_DEADLINE_MS = 300_000;
/** Pages one listing may fetch (10,000 pages of 100 is a million items). */
export const DEFAULT_MAX_PAGES = 10_000;

export interface HttpLimits {
  /** Largest JSON/text answer read into memory, counted while reading. Default 256 MB. */
  maxBodyBytes?: number;
  /**
   * The most one request may take, from connecting to the last byte of its body, retries and
   * their waits included. Default 300 s.
   */
  deadlineMs?: number;
  /** Pages one listing may fetch. Default 10,000. */
  maxPages?: number;
  /** Bytes one listing may fetch over all its pages. Default: `maxBodyBytes`. */
  maxListingBytes?: number;
}

export function limitsWithDefaults(l: HttpLimits = {}): Required<HttpLimits> {
  const maxBodyBytes = positive(l.maxBodyBytes) ?? DEFAULT_MAX_BODY_BYTES;
  return {
    maxBodyBytes,
    deadlineMs: positive(l.deadlineMs) ?? DEFAULT_DEADLINE_MS,
    maxPages: positive(l.maxPages) ?? DEFAULT_MAX_PAGES,
    maxListingBytes: positive(l.maxListingBytes) ?? maxBodyBytes,
  };
}

/** A finite number above zero, else undefined (a setting or flag left unset, or nonsense). */
export function positive(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Limits from the user-facing units: megabytes and seconds (settings, CLI flags). */
export function limitsFromUser(u: { maxBodyMb?: number; timeoutSeconds?: number }): HttpLimits {
  return {
    maxBodyBytes: positive(u.maxBodyMb) !== undefined ? Math.floor(u.maxBodyMb! * MB) : undefined,
    deadlineMs: positive(u.timeoutSeconds) !== undefined ? Math.round(u.timeoutSeconds! * 1000) : undefined,
  };
}

export function describeBytes(n: number): string {
  if (n >= MB) return `${Number.isInteger(n / MB) ? n / MB : (n / MB).toFixed(1)} MB`;
  return `${n} bytes`;
}

export function describeSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

const RAISE_BODY_CAP = 'If the answer really is that large, raise the cap (setting insightExplorer.http.maxBodyMb, or insights --max-body-mb N).';

/** The error for an answer past the body cap. */
export function bodyTooLarge(where: string, cap: number): InsightError {
  return new InsightError('data', `${where} sent more than ${describeBytes(cap)} (the cap for one answer); stopped reading.`, { next: RAISE_BODY_CAP });
}

/**
 * Reads a body as UTF-8 text, counting bytes as they arrive and stopping at `max` (the body is
 * destroyed, so an endless answer costs at most `max` bytes of memory). `over` builds the error.
 */
export async function readCapped(
  body: AsyncIterable<Uint8Array> & { destroy?: (e?: Error) => unknown },
  max: number,
  over: () => Error,
): Promise<{ text: string; bytes: number }> {
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (bytes > max) {
      body.destroy?.();
      throw over();
    }
    parts.push(decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  }
  parts.push(decoder.end());
  return { text: parts.join(''), bytes };
}

/** Reads at most `max` bytes of a body as text (an error body: only its start is used), then drops the rest. */
export async function readHead(body: AsyncIterable<Uint8Array> & { destroy?: (e?: Error) => unknown }, max: number): Promise<string> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    parts.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    bytes += chunk.byteLength;
    if (bytes >= max) {
      body.destroy?.();
      break;
    }
  }
  return Buffer.concat(parts).subarray(0, max).toString('utf8');
}

/**
 * One listing (PostHog `next` links, Canvas `Link: rel="next"`): refuses a page URL it already
 * fetched (a server pointing `next` back at itself would otherwise page forever), and stops at a
 * page count and a byte total. Made by `HttpClient.listing()`, passed with each page's request.
 */
export class Listing {
  pages = 0;
  bytes = 0;
  private readonly seen = new Set<string>();

  constructor(
    readonly what: string,
    readonly maxPages: number,
    readonly maxBytes: number,
    private readonly show: (url: URL) => string,
  ) {}

  /** Called before a page is requested. */
  visit(url: URL): void {
    if (this.seen.has(url.href)) {
      throw new InsightError('data', `Stopped ${this.what}: the server sent page ${this.show(url)} twice.`, {
        next: 'Try again; if it persists, the server (or a proxy in front of it) is looping its pages.',
      });
    }
    if (this.pages >= this.maxPages) {
      throw new InsightError('data', `Stopped ${this.what} after ${this.maxPages} pages (the most one listing may fetch).`, {
        next: 'Narrow the listing (a search or filter), or check the server is not paging endlessly.',
      });
    }
    this.seen.add(url.href);
    this.pages++;
  }

  get remainingBytes(): number {
    return Math.max(0, this.maxBytes - this.bytes);
  }

  /** Called with each page's size. */
  add(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes) throw this.tooLarge();
  }

  tooLarge(): InsightError {
    return new InsightError('data', `Stopped ${this.what} at ${describeBytes(this.maxBytes)} over ${this.pages} pages (the cap for one listing).`, {
      next: RAISE_BODY_CAP,
    });
  }
}
