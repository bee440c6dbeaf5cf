/**
 * Echo360 Reporting API shapes, normalised. The API's listing shapes are only partly documented
 * (API-NOTES.md), so everything read from the wire goes through the tolerant readers here and the
 * rest of the code sees one shape.
 */

/** The statuses a report request can have on Echo360. */
export type EchoRequestStatus = 'Pending' | 'Available' | 'Expired' | 'Failed' | 'Missing';

/** Output delimiters the API accepts (`output.delimiter`). */
export type EchoDelimiter = ',' | '\t' | '|';
export const ECHO_DELIMITERS: readonly EchoDelimiter[] = [',', '\t', '|'];

/** Echo360 keeps a report 14 days from submission; signed links work 7 days. */
export const REPORT_RETENTION_MS = 14 * 24 * 3600_000;
export const SIGNED_LINK_TTL_MS = 7 * 24 * 3600_000;
/** At most 3 report requests may be in flight per institution. */
export const MAX_IN_FLIGHT = 3;
/** 120 calls per minute per institution, then 429. */
export const CALLS_PER_MINUTE = 120;

export interface EchoReportParameter {
  name: string;
  datatype?: string;
  required?: boolean;
}

export interface EchoReportDefinition {
  name: string;
  description: string;
  note?: string;
  parameters: EchoReportParameter[];
  /**
   * False when the listing carried no `parameters` field at all (then nothing is known about
   * them); `"parameters": []` is listed, and means "no parameters" (Echo360 lists `asset` so).
   */
  parametersListed: boolean;
}

const DATE_PARAMETERS = new Set(['start', 'end']);

/**
 * Whether a report is run for a date range. Echo360's `/reports` listing names each report's
 * parameters; `asset` is listed with `"parameters": []` and is all-time ("no date parameters are
 * supplied": Echo360 Reporting API docs, https://support.echo360.com/hc/en-us/articles/360042030652).
 * A listing without the field says nothing: such a report is taken to need a range, as every
 * documented report except `asset` does.
 */
export function takesDateRange(report: Pick<EchoReportDefinition, 'parameters' | 'parametersListed'>): boolean {
  if (!report.parametersListed) return true;
  const names = report.parameters.map((p) => p.name.toLowerCase());
  return names.includes('start') && names.includes('end');
}

/** Parameters besides start/end: shown to the user as listed, never filled in by guess. */
export function otherParameters(report: Pick<EchoReportDefinition, 'parameters'>): EchoReportParameter[] {
  return report.parameters.filter((p) => !DATE_PARAMETERS.has(p.name.toLowerCase()));
}

/** `courseId (string, required)` for messages. */
export function describeParameter(p: EchoReportParameter): string {
  const bits = [p.datatype, p.required ? 'required' : 'optional'].filter(Boolean);
  return `${p.name} (${bits.join(', ')})`;
}

export interface EchoOutputOptions {
  /** Default true: gzipped CSV. */
  compression: boolean;
  delimiter: EchoDelimiter;
}

export interface EchoSubmitBody {
  /** `start`/`end` for reports that take a range; none at all for `asset`. */
  parameters: Record<string, string>;
  output: EchoOutputOptions;
}

export interface EchoRequest {
  requestId: string;
  status: EchoRequestStatus;
  reportName: string;
  parameters: Record<string, string>;
  /** ISO time of submission as the server reported it (absent when the server did not say). */
  created?: string;
  /** created + 14 days: when Echo360 deletes the report. */
  expires?: string;
  assets: string[];
  /** Signed S3 links, only on `GET request/<id>`: use them byte-for-byte. */
  signedAssets: string[];
}

/** The answer to a submit: either a request id, or "the server is at its in-flight limit, wait". */
export type EchoSubmitResult = { accepted: true; request: EchoRequest } | { accepted: false; reason: string; retryAfterMs?: number };

const STATUS_ALIASES: Record<string, EchoRequestStatus> = {
  pending: 'Pending',
  queued: 'Pending',
  processing: 'Pending',
  inprogress: 'Pending',
  running: 'Pending',
  available: 'Available',
  complete: 'Available',
  completed: 'Available',
  expired: 'Expired',
  failed: 'Failed',
  error: 'Failed',
  missing: 'Missing',
};

/** Case-insensitive status; undefined for a status this code does not know. */
export function normaliseStatus(value: unknown): EchoRequestStatus | undefined {
  if (typeof value !== 'string') return undefined;
  return STATUS_ALIASES[value.replace(/[\s_-]+/g, '').toLowerCase()];
}

export function isFinalFailure(status: string): boolean {
  return status === 'Failed' || status === 'Missing';
}

/** created + 14 days, or undefined when created is not a date. */
export function expiresFrom(created: string | undefined): string | undefined {
  if (!created) return undefined;
  const t = Date.parse(created);
  return Number.isNaN(t) ? undefined : new Date(t + REPORT_RETENTION_MS).toISOString();
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function stringList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const item of v) {
    if (typeof item === 'string') out.push(item);
    else {
      // Tolerate `{url: "…"}` entries; the seed document shows bare strings.
      const url = asRecord(item)?.url;
      if (typeof url === 'string') out.push(url);
    }
  }
  return out;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const r = asRecord(v);
  if (r) for (const [k, val] of Object.entries(r)) if (val !== undefined && val !== null) out[k] = String(val);
  return out;
}

/** Accepts a bare array or an object wrapping one under any of `keys`. */
export function unwrapList(body: unknown, keys: string[]): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  const r = asRecord(body);
  if (!r) return undefined;
  for (const k of keys) if (Array.isArray(r[k])) return r[k] as unknown[];
  return undefined;
}

export function readRequest(raw: unknown): EchoRequest | undefined {
  const r = asRecord(raw);
  if (!r) return undefined;
  const id = r.requestId ?? r.id;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  const created = typeof r.created === 'string' ? r.created : typeof r.created === 'number' ? new Date(r.created).toISOString() : undefined;
  return {
    requestId: String(id),
    // An unknown status is treated as still running: the poller asks again rather than failing a run.
    status: normaliseStatus(r.status) ?? 'Pending',
    reportName: typeof r.reportName === 'string' ? r.reportName : typeof r.report === 'string' ? r.report : '',
    parameters: stringMap(r.parameters),
    created,
    expires: expiresFrom(created),
    assets: stringList(r.assets),
    signedAssets: stringList(r.signedAssets),
  };
}

export function readReport(raw: unknown): EchoReportDefinition | undefined {
  const r = asRecord(raw);
  if (!r || typeof r.name !== 'string') return undefined;
  const params = Array.isArray(r.parameters) ? r.parameters : [];
  return {
    name: r.name,
    parametersListed: Array.isArray(r.parameters),
    description: typeof r.description === 'string' ? r.description : '',
    note: typeof r.note === 'string' ? r.note : undefined,
    parameters: params.flatMap((p): EchoReportParameter[] => {
      const pr = asRecord(p);
      if (pr && typeof pr.name === 'string') {
        return [
          {
            name: pr.name,
            datatype: typeof pr.datatype === 'string' ? pr.datatype : undefined,
            required: pr.required === true || pr.required === 'true',
          },
        ];
      }
      return typeof p === 'string' ? [{ name: p }] : [];
    }),
  };
}

/** `,` `|` `\t`, also typed as `\t`, `tab`, `comma`, `pipe`. */
export function parseDelimiter(text: string | undefined): EchoDelimiter | undefined {
  if (text === undefined) return undefined;
  const t = text.trim() === '' && text.includes('\t') ? '\t' : text.trim().toLowerCase();
  if (t === ',' || t === 'comma') return ',';
  if (t === '|' || t === 'pipe') return '|';
  if (t === '\t' || t === '\\t' || t === 'tab') return '\t';
  return undefined;
}

export function delimiterName(d: EchoDelimiter): string {
  return d === '\t' ? '\\t' : d;
}
