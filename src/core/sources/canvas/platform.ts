/**
 * Canvas LMS Analytics as a platform: instance URL + access token; the accounts and courses the
 * tree shows live in the source's options (./options.ts).
 */
import { InsightError } from '../../errors';
import { type Platform, type SourceConfig, hostOf } from '../../platform';
import { askSecret, editSource, messageOf, siteSourceSteps } from '../../userInput';
import { CanvasClient, canvasSiteRoot } from './client';
import { canvasChildren, canvasFetch } from './items';
import { type CanvasSourceOptions, canvasOptionsPatch, readCanvasOptions } from './options';

export const validateCanvasUrl = messageOf(canvasSiteRoot);

/** The site root as stored: what people paste (`…/api/v1`, a course page) cut back to the instance. */
export function normalizeCanvasUrl(v: string): string {
  return canvasSiteRoot(v).toString().replace(/\/+$/, '');
}

// Canvas tokens are "<shard>~<64 chars>"; older or self-hosted ones differ, so only length is checked.
const validateToken = (v: string) =>
  v.trim().length < 16 ? 'Paste a Canvas access token (Account → Settings → Approved integrations → New access token).' : undefined;

export function splitIds(v: string): string[] {
  return [
    ...new Set(
      v
        .split(/[,\s]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** A Canvas id as the API accepts it in a path: digits, `self`, or `sis_…:…`-style ids. */
export function validateCanvasId(v: string, what: string): string | undefined {
  const s = v.trim();
  if (s === '') return `Enter a ${what}.`;
  if (/^\d+$/.test(s) || s === 'self' || /^[a-z_]+:[^/?#\\\s]+$/i.test(s)) return undefined;
  return `A Canvas ${what} is a number from the Canvas URL (…/${what.startsWith('course') ? 'courses' : what.startsWith('term') ? 'terms' : 'accounts'}/123)${what.startsWith('account') ? ', or self' : ''}.`;
}

function validateIdList(v: string): string | undefined {
  for (const id of splitIds(v)) if (validateCanvasId(id, 'id')) return `“${id}” is not a Canvas id.`;
  return undefined;
}

export const canvasPlatform: Platform<CanvasClient> = {
  kind: 'canvas',
  label: 'Canvas LMS Analytics',
  detail: 'Account, course and student analytics of a Canvas instance, access token',
  icon: 'mortar-board',
  permissionDocs: 'https://canvas.instructure.com/doc/api/analytics.html',
  secretEnv: ['CANVAS_TOKEN'],

  client(source, token, deps) {
    if (!token)
      throw new InsightError('auth', `No access token stored for “${source.label}”.`, { next: 'Use Set Credentials… to add one.' });
    return new CanvasClient({ baseUrl: source.baseUrl, token, logger: deps.logger, redactor: deps.redactor, limits: deps.limits });
  },

  async testConnection(client, _source, counts, signal) {
    // Any valid token may list its own courses: the cheapest call that proves URL and token.
    const courses = await client.get<unknown[]>('/api/v1/courses', { signal, query: { per_page: 100 } });
    const n = Array.isArray(courses) ? courses.length : 0;
    return `Connected to Canvas at ${client.site.host}: the token's user is enrolled in ${n === 100 ? `${n}+ courses` : counts.courses(n)}.`;
  },

  describe(source, counts) {
    const o = readCanvasOptions(source);
    return `${hostOf(source.baseUrl)} · ${counts.accounts(o.accounts.length)} · ${counts.courses(o.courses.length)}`;
  },

  async add(ui, title, firstStep) {
    const got = await siteSourceSteps(ui, {
      title,
      firstStep,
      totalSteps: firstStep + 2,
      url: {
        prompt: 'Address of your Canvas instance (the page URL you use in the browser is fine)',
        placeholder: 'https://school.instructure.com',
        validate: validateCanvasUrl,
        normalize: normalizeCanvasUrl,
      },
      defaultLabel: (baseUrl) => `Canvas ${new URL(baseUrl).host}`,
      secret: (label, step) => this.promptSecret(ui, { label }, step),
    });
    if (!got) return undefined;
    const { label, baseUrl, secret } = got;
    // Account `self` (the token user's root account) is where admins start; courses are added later.
    return { input: { kind: 'canvas', label, baseUrl, options: canvasOptionsPatch(readCanvasOptions({ options: {} })) }, secret };
  },

  promptSecret(ui, source, step) {
    return askSecret(ui, source, step, {
      prompt: 'Canvas access token (stored in VS Code SecretStorage, never in settings)',
      placeholder: '1234~…',
      validate: validateToken,
    });
  },

  async edit(ui, source) {
    const o = readCanvasOptions(source);
    const fields = [
      { label: 'Canvas URL', description: source.baseUrl, value: 'baseUrl' as const },
      { label: 'Account ids', description: o.accounts.map((a) => a.id).join(', ') || 'none', value: 'accounts' as const },
      { label: 'Course ids', description: o.courses.map((c) => c.id).join(', ') || 'none', value: 'courses' as const },
    ];
    return editSource(ui, source, fields, async (field): Promise<Partial<SourceConfig> | undefined> => {
      if (field === 'baseUrl') {
        const v = await ui.text(
          { title: 'Change Canvas URL' },
          { prompt: 'Address of your Canvas instance', value: source.baseUrl, validate: validateCanvasUrl },
        );
        return v === undefined ? undefined : { baseUrl: normalizeCanvasUrl(v) };
      }
      // Editing the id lists keeps what is known about the ids that stay (names, terms, sort).
      const ids = field === 'accounts' ? o.accounts.map((a) => a.id) : o.courses.map((c) => c.id);
      const v = await ui.text(
        { title: field === 'accounts' ? 'Canvas account ids' : 'Canvas course ids' },
        { prompt: 'Ids separated by commas (numbers, “self”, or sis_…:… ids)', value: ids.join(', '), validate: validateIdList },
      );
      if (v === undefined) return undefined;
      const next = splitIds(v);
      const patch: CanvasSourceOptions =
        field === 'accounts'
          ? { ...o, accounts: next.map((id) => o.accounts.find((a) => a.id === id) ?? { id, terms: [] }) }
          : { ...o, courses: next.map((id) => o.courses.find((c) => c.id === id) ?? { id }) };
      return { options: canvasOptionsPatch(patch) };
    });
  },

  children: canvasChildren,
  fetch: canvasFetch,
};
