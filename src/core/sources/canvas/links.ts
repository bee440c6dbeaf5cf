/**
 * RFC 8288 `Link` headers as Canvas sends them:
 * `<https://h/api/v1/…&page=2&per_page=10>; rel="current",<…>; rel="next",<…>; rel="first"` —
 * entries joined by "," with no space, `rel="last"` sometimes missing (Canvas skips it when
 * counting would be expensive). Proxies may re-join repeated headers with ", ", other servers
 * leave rel unquoted or list several rels in one entry ("next last"). URLs can contain commas
 * (`include[]=a,b`) but never a raw "<" or ">", so entries are found by their angle brackets
 * rather than by splitting on commas.
 */
export function parseLinkHeader(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  const entry = /<([^>]*)>([^<]*)/g;
  let m: RegExpExecArray | null;
  while ((m = entry.exec(value)) !== null) {
    const url = m[1].trim();
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(m[2]);
    if (!rel) continue;
    for (const name of (rel[1] ?? rel[2]).trim().toLowerCase().split(/\s+/)) {
      // The first entry for a rel wins, as browsers do.
      if (name && out[name] === undefined) out[name] = url;
    }
  }
  return out;
}
