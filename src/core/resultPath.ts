/**
 * Where a stored result lives: `<root>/<sourceId>/<key>.<ext>`. The segments come from ids and
 * from document URIs (which a reloaded webview or another extension can hand back), so a segment
 * that could leave the folder — empty, `.`, `..`, or holding `/`, `\` or NUL — is refused, never
 * cleaned up into something else. Other characters outside [A-Za-z0-9._-] become `_`.
 */
import * as path from 'node:path';
import { InsightError } from './errors';

export function resultSegment(s: string, what = 'path segment'): string {
  if (s === '' || s === '.' || s === '..' || /[/\\\u0000]/.test(s)) {
    throw new InsightError('usage', `Refused a result ${what} ${JSON.stringify(s)}: it could point outside the result folder.`);
  }
  const safe = s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
  // Cut to length, a segment could still end up as dots only.
  if (/^\.+$/.test(safe)) throw new InsightError('usage', `Refused a result ${what} ${JSON.stringify(s)}.`);
  return safe;
}

/** File extensions of stored results: letters and digits only. */
export function resultExtension(ext: string): string {
  if (!/^[A-Za-z0-9]{1,10}$/.test(ext)) throw new InsightError('usage', `Refused a result file extension ${JSON.stringify(ext)}.`);
  return ext;
}

export function resultFilePath(root: string, sourceId: string, key: string, ext: string): string {
  const file = path.join(root, resultSegment(sourceId, 'source id'), `${resultSegment(key, 'key')}.${resultExtension(ext)}`);
  // Belt and braces: whatever the segments were, the file stays under root.
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new InsightError('usage', 'Refused a result path outside the result folder.');
  return file;
}
