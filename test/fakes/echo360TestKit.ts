/**
 * Small helpers the Echo360 tests share: dates relative to today (the API refuses ranges in the
 * future or older than a year, so fixed dates would rot), and a client wired to a fake with a
 * fast limiter (the real 120/minute would make a 10-chunk test take a minute).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Echo360Client, Echo360ClientOptions } from '../../src/core/sources/echo360/client';
import { EchoReportQueue, EchoReportQueueOptions, MemoryQueueStore } from '../../src/core/sources/echo360/queue';
import { Echo360Fake } from './echo360';

const DAY = 86_400_000;

/** `YYYY-MM-DD` of the UTC day `n` days before today. */
export function daysAgo(n: number): string {
  return new Date(Math.floor(Date.now() / DAY) * DAY - n * DAY).toISOString().slice(0, 10);
}

export function fastClient(fake: Echo360Fake, extra: Partial<Echo360ClientOptions> = {}): Echo360Client {
  return new Echo360Client({
    baseUrl: fake.url,
    credentials: { clientId: fake.clientId, clientSecret: fake.clientSecret },
    rateLimit: { limit: 100_000, windowMs: 60_000, burst: 1000 },
    // Retries in tests: quick, but the same code path.
    retry: { retries: 3, baseDelayMs: 20, maxDelayMs: 200 },
    ...extra,
  });
}

export function fastQueue(client: Echo360Client, extra: Partial<EchoReportQueueOptions> = {}): EchoReportQueue {
  return new EchoReportQueue({ client, store: new MemoryQueueStore(), pollIntervalMs: 40, maxPollIntervalMs: 150, ...extra });
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'echo360-test-'));
}

/** Every request id the fake saw submitted, in order. */
export function submittedIds(fake: Echo360Fake): string[] {
  return fake.requests
    .filter((r) => r.server === 'api' && r.method === 'POST' && r.path.includes('/reporting/requests/') && r.status === 200)
    .map((r) => r.path);
}

/** The raw CSV of one signed asset, fetched directly (the test's reference for the merged file). */
export async function fetchAssetText(link: string): Promise<string> {
  const res = await fetch(link);
  const buf = Buffer.from(await res.arrayBuffer());
  return (buf[0] === 0x1f && buf[1] === 0x8b ? zlib.gunzipSync(buf) : buf).toString('utf8');
}

export function filesIn(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}
