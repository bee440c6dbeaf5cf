/**
 * Canvas LMS Analytics as a platform: instance URL + access token; the accounts and courses the
 * tree shows live in the source's options (./options.ts).
 */
import * as l10n from '@vscode/l10n';
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
  v.trim().length < 16 ? l10n.t('Paste a Canvas access token (Account → Settings → Approved integrations → New access token).') : undefined;

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
const isCanvasId = (s: string) => /^\d+$/.test(s) || s === 'self' || /^[a-z_]+:[^/?#\\\s]+$/i.test(s);

/** What an id box asks for: each has its own sentences, so each can be translated whole. */
export type CanvasIdKind = 'account id' | 'course id' | 'term id';

/** The id box's check: why `v` is not a Canvas id of this kind, or undefined when it is one. */
export function validateCanvasId(v: string, what: CanvasIdKind): string | undefined {
  const s = v.trim();
  if (s === '') {
    if (what === 'account id') return l10n.t('Enter an account id.');
    return what === 'course id' ? l10n.t('Enter a course id.') : l10n.t('Enter a term id.');
  }
  if (isCanvasId(s)) return undefined;
  if (what === 'account id') return l10n.t('A Canvas account id is a number from the Canvas URL (…/accounts/123), or self.');
  return what === 'course id'
    ? l10n.t('A Canvas course id is a number from the Canvas URL (…/courses/123).')
    : l10n.t('A Canvas term id is a number from the Canvas URL (…/terms/123).');
}

function validateIdList(v: string): string | undefined {
  for (const id of splitIds(v)) if (!isCanvasId(id)) return l10n.t('“{0}” is not a Canvas id.', id);
  return undefined;
}

export const canvasPlatform: Platform<CanvasClient> = {
  kind: 'canvas',
  label: 'Canvas LMS Analytics',
  // A getter: read when the Add Source pick is shown, after the extension loaded its translations.
  get detail() {
    return l10n.t('Account, course and student analytics of a Canvas instance, access token');
  },
  icon: 'mortar-board',
  permissionDocs: 'https://canvas.instructure.com/doc/api/analytics.html',
  secretEnv: ['CANVAS_TOKEN'],

  client(source, token, deps) {
    if (!token)
      throw new InsightError('auth', l10n.t('No access token stored for “{0}”.', source.label), {
        next: l10n.t('Use Set Credentials… to add one.'),
      });
    return new CanvasClient({ baseUrl: source.baseUrl, token, logger: deps.logger, redactor: deps.redactor, limits: deps.limits });
  },

  async testConnection(client, _source, counts, signal) {
    // Any valid token may list its own courses: the cheapest call that proves URL and token.
    const courses = await client.get<unknown[]>('/api/v1/courses', { signal, query: { per_page: 100 } });
    const n = Array.isArray(courses) ? courses.length : 0;
    const enrolled = n === 100 ? l10n.t('{0}+ courses', n) : counts.courses(n);
    return l10n.t("Connected to Canvas at {0}: the token's user is enrolled in {1}.", client.site.host, enrolled);
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
        prompt: l10n.t('Address of your Canvas instance (the page URL you use in the browser is fine)'),
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
      prompt: l10n.t('Canvas access token (stored in VS Code SecretStorage, never in settings)'),
      placeholder: '1234~…',
      validate: validateToken,
    });
  },

  async edit(ui, source) {
    const o = readCanvasOptions(source);
    const fields = [
      { label: l10n.t('Canvas URL'), description: source.baseUrl, value: 'baseUrl' as const },
      { label: l10n.t('Account ids'), description: o.accounts.map((a) => a.id).join(', ') || l10n.t('none'), value: 'accounts' as const },
      { label: l10n.t('Course ids'), description: o.courses.map((c) => c.id).join(', ') || l10n.t('none'), value: 'courses' as const },
    ];
    return editSource(ui, source, fields, async (field): Promise<Partial<SourceConfig> | undefined> => {
      if (field === 'baseUrl') {
        const v = await ui.text(
          { title: l10n.t('Change Canvas URL') },
          { prompt: l10n.t('Address of your Canvas instance'), value: source.baseUrl, validate: validateCanvasUrl },
        );
        return v === undefined ? undefined : { baseUrl: normalizeCanvasUrl(v) };
      }
      // Editing the id lists keeps what is known about the ids that stay (names, terms, sort).
      const ids = field === 'accounts' ? o.accounts.map((a) => a.id) : o.courses.map((c) => c.id);
      const v = await ui.text(
        { title: field === 'accounts' ? l10n.t('Canvas account ids') : l10n.t('Canvas course ids') },
        { prompt: l10n.t('Ids separated by commas (numbers, “self”, or sis_…:… ids)'), value: ids.join(', '), validate: validateIdList },
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
