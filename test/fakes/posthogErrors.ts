/**
 * PostHog's error answers (`{type, code, detail, attr}`), shared by the fake's read routes
 * (posthog.ts) and its management routes (posthogManage.ts).
 */
import { type FakeResponse, json } from './fakeHttp';

export function phError(
  status: number,
  type: string,
  code: string,
  detail: string,
  attr: string | null = null,
  headers: Record<string, string> = {},
): FakeResponse {
  return json(status, { type, code, detail, attr }, headers);
}

export const unauthorized = (): FakeResponse =>
  phError(401, 'authentication_error', 'authentication_failed', 'Incorrect authentication credentials.', null, {
    'www-authenticate': 'Bearer',
  });
export const forbidden = (): FakeResponse =>
  phError(403, 'authentication_error', 'permission_denied', "You don't have access to the project.");
export const notFound = (detail = 'Not found.'): FakeResponse => phError(404, 'invalid_request', 'not_found', detail);
export const methodNotAllowed = (m: string): FakeResponse =>
  phError(405, 'invalid_request', 'method_not_allowed', `Method "${m}" not allowed.`);
export const invalid = (detail: string, attr: string | null, code = 'invalid_input'): FakeResponse =>
  phError(400, 'validation_error', code, detail, attr);
