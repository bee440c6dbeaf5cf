/**
 * Canvas Studio as a platform: site URL + access token, optionally with renewal (refresh token and
 * OAuth client); the perspectives the tree shows live in the source's options (./options.ts).
 */
import * as l10n from '@vscode/l10n';
import { InsightError } from '../../errors';
import { type Platform, type PlatformItem, type SourceConfig, hostOf } from '../../platform';
import { editSource, messageOf, required, siteSourceSteps } from '../../userInput';
import { STUDIO_INSIGHTS, type StudioInsight, StudioApiError, StudioClient } from './client';
import { studioChartSpecs } from './charts';
import { INSIGHT_DETAIL, INSIGHT_LABEL, studioGrid, studioResultKey } from './result';
import { type StudioPerspectiveRef, type StudioSecret, parseStudioSecret, readPerspectives, refreshOf, roleLabel, serializeStudioSecret } from './options';
import { studioUrls } from './perspective';

export const validateStudioUrl = messageOf(studioUrls);

/** Stored as the site root; the client derives the API root (`/api/public/v1`) from it. */
export function normalizeStudioUrl(v: string): string {
  return studioUrls(v).site.toString().replace(/\/+$/, '');
}

const validateToken = (v: string) => (v.trim().length < 8 ? l10n.t('Paste a Studio API access token.') : undefined);

/** What a perspective's and an insight's items carry. */
export interface StudioItemData {
  uuid: string;
  insight?: StudioInsight;
  /** A role for this fetch only ('' = all roles), instead of the stored filter. */
  role?: string;
}

/**
 * The perspective as stored now (a role set a moment ago counts even if the tree has not
 * redrawn), or one named by its UUID alone.
 */
export function perspectiveOf(source: SourceConfig, uuid: string): StudioPerspectiveRef {
  return readPerspectives(source).find((p) => p.uuid === uuid) ?? { uuid, label: `Perspective ${uuid.slice(0, 8)}` };
}

/** The nil UUID: a perspective that cannot exist, so asking for it tests the token alone. */
const PROBE_PERSPECTIVE = '00000000-0000-0000-0000-000000000000';

export const studioPlatform: Platform<StudioClient> = {
  kind: 'studio',
  label: 'Canvas Studio',
  // A getter: read when the Add Source pick is shown, after the extension loaded its translations.
  get detail() {
    return l10n.t('Media insights (views, viewers, completion) of Studio perspectives, API token');
  },
  icon: 'device-camera-video',
  permissionDocs: 'https://developerdocs.instructure.com/services/studio/api-reference/insights',
  secretEnv: ['STUDIO_TOKEN', 'STUDIO_REFRESH_TOKEN', 'STUDIO_CLIENT_ID', 'STUDIO_CLIENT_SECRET'],

  /**
   * Renewal state (single-use refresh tokens) lives in the client: the caller keeps one client per
   * source while its secret is unchanged, and renewed tokens go back through `deps.saveSecret`.
   * A draft source (no saveSecret) tests its access token only: a renewal would spend the
   * single-use refresh token it is about to save.
   */
  client(source, secret, deps) {
    if (!secret)
      throw new InsightError('auth', l10n.t('No access token stored for “{0}”.', source.label), {
        next: l10n.t('Use Set Credentials… to add one.'),
      });
    let bundle = parseStudioSecret(secret);
    const save = deps.saveSecret;
    return new StudioClient({
      baseUrl: source.baseUrl,
      accessToken: bundle.accessToken,
      refresh: save ? refreshOf(bundle) : undefined,
      logger: deps.logger,
      redactor: deps.redactor,
      onTokens: save
        ? async (t) => {
            deps.redactor.add(t.accessToken);
            deps.redactor.add(t.refreshToken);
            bundle = { ...bundle, accessToken: t.accessToken, refreshToken: t.refreshToken ?? bundle.refreshToken };
            await save(serializeStudioSecret(bundle));
            deps.logger.info(`Studio: renewed the access token of “${source.label}” and stored it.`);
          }
        : undefined,
      limits: deps.limits,
    });
  },

  /**
   * Studio has no "who am I" endpoint in its public API. With a perspective, its overview is the
   * test; without one, the nil-UUID perspective: a 404 there means the token was accepted.
   */
  async testConnection(client, source, _counts, signal) {
    const first = readPerspectives(source)[0];
    if (first) {
      const csv = await client.fetchInsights('overview', first.uuid, { signal });
      return l10n.t('Connected to Studio at {0}: “{1}” overview is {2} bytes.', client.site.host, first.label, csv.length);
    }
    try {
      await client.fetchInsights('overview', PROBE_PERSPECTIVE, { signal });
    } catch (e) {
      if (e instanceof StudioApiError && e.reason === 'notFound')
        return l10n.t('Connected to Studio at {0}: the token was accepted. Add a perspective to read its insights.', client.site.host);
      throw e;
    }
    return l10n.t('Connected to Studio at {0}.', client.site.host);
  },

  describe(source, counts) {
    return `${hostOf(source.baseUrl)} · ${counts.perspectives(readPerspectives(source).length)}`;
  },

  async add(ui, title, firstStep) {
    const got = await siteSourceSteps(ui, {
      title,
      firstStep,
      // URL, name, token, renewal choice (promptSecret asks the last two).
      totalSteps: firstStep + 3,
      url: {
        prompt: l10n.t('Your Studio site or its API root'),
        placeholder: 'https://school.instructuremedia.com',
        validate: validateStudioUrl,
        normalize: normalizeStudioUrl,
      },
      defaultLabel: (baseUrl) => `Studio ${new URL(baseUrl).host}`,
      secret: (label, step) => this.promptSecret(ui, { label }, step),
    });
    if (!got) return undefined;
    const { label, baseUrl, secret } = got;
    return { input: { kind: 'studio', label, baseUrl, options: { perspectives: '[]' } }, secret };
  },

  /**
   * The access token, then whether to set up renewal (refresh token + OAuth client id/secret).
   * Resolves to the serialized secret bundle.
   */
  async promptSecret(ui, source, step) {
    const title = step?.title ?? l10n.t('Set Credentials: {0}', source.label);
    const at = step?.step ?? 1;
    const total = step?.totalSteps ?? 2;
    const accessToken = await ui.text(
      { title, step: at, totalSteps: total, back: step?.back },
      {
        prompt: l10n.t('Studio access token (stored in VS Code SecretStorage, never in settings)'),
        password: true,
        validate: validateToken,
      },
    );
    if (accessToken === undefined) return undefined;
    const bundle: StudioSecret = { accessToken: accessToken.trim() };
    const renew = await ui.pick(
      { title, step: at + 1, totalSteps: total },
      [
        { label: l10n.t('No renewal'), detail: l10n.t('When the token expires, Set Credentials asks for a new one.'), value: false },
        {
          label: l10n.t('Renew automatically…'),
          detail: l10n.t('Add the refresh token and the OAuth client (id and secret) the token was issued with.'),
          value: true,
        },
      ],
      l10n.t('Renew the token when Studio says it expired?'),
      false,
    );
    if (renew === undefined) return undefined;
    if (renew) {
      const sub = { title, totalSteps: at + 4 };
      const refreshToken = await ui.text(
        { ...sub, step: at + 2 },
        { prompt: l10n.t('Refresh token'), password: true, validate: required(l10n.t('Enter the refresh token.')) },
      );
      if (refreshToken === undefined) return undefined;
      const clientId = await ui.text(
        { ...sub, step: at + 3 },
        { prompt: l10n.t('OAuth client id (Studio admin → API keys)'), validate: required(l10n.t('Enter the client id.')) },
      );
      if (clientId === undefined) return undefined;
      const clientSecret = await ui.text(
        { ...sub, step: at + 4 },
        { prompt: l10n.t('OAuth client secret'), password: true, validate: required(l10n.t('Enter the client secret.')) },
      );
      if (clientSecret === undefined) return undefined;
      Object.assign(bundle, { refreshToken: refreshToken.trim(), clientId: clientId.trim(), clientSecret: clientSecret.trim() });
    }
    return serializeStudioSecret(bundle);
  },

  secretParts(secret) {
    const b = parseStudioSecret(secret);
    return [b.accessToken, b.refreshToken, b.clientSecret].filter((v): v is string => !!v);
  },

  async edit(ui, source) {
    const placeholder = l10n.t('What do you want to change? (Perspectives: Add Perspective… / Remove Perspective in the tree)');
    return editSource(
      ui,
      source,
      [{ label: l10n.t('Studio URL'), description: source.baseUrl, value: 'baseUrl' as const }],
      async () => {
        const v = await ui.text(
          { title: l10n.t('Change Studio URL') },
          { prompt: l10n.t('Your Studio site or its API root'), value: source.baseUrl, validate: validateStudioUrl },
        );
        return v === undefined ? undefined : { baseUrl: normalizeStudioUrl(v) };
      },
      placeholder,
    );
  },

  /**
   * Source ─ a perspective (from the options: Studio's public API cannot list them) ─┬─ Overview
   *                                                                                  └─ Viewers
   * Expanding needs no request; each insight fetches its CSV when opened.
   */
  async children(source, parent) {
    if (!parent) {
      const list = readPerspectives(source);
      if (list.length === 0)
        return [
          {
            key: 'addPerspective',
            type: 'action',
            label: 'Add Perspective…',
            icon: 'add',
            description: 'by its UUID from the Studio Insights page',
            command: { title: 'Add Perspective', command: 'insightExplorer.studio.addPerspective' },
          },
        ];
      return list.map(
        (p): PlatformItem => ({
          key: `perspective/${p.uuid}`,
          type: 'perspective',
          label: p.label,
          description: p.uuid.slice(0, 8),
          tooltip: `Perspective ${p.uuid}`,
          icon: 'eye',
          expandable: true,
          capabilities: ['copyId'],
          id: p.uuid,
          data: { uuid: p.uuid } satisfies StudioItemData,
        }),
      );
    }
    const { uuid } = parent.data as StudioItemData;
    const perspective = perspectiveOf(source, uuid);
    return STUDIO_INSIGHTS.map((insight): PlatformItem => {
      const role = perspective.roles?.[insight];
      return {
        key: `insight/${insight}`,
        type: `insight:${insight}`,
        label: INSIGHT_LABEL[insight],
        description: roleLabel(role),
        tooltip: `${INSIGHT_DETAIL[insight]}.\n\nRole filter: ${roleLabel(role)} (Set Role Filter… to change).`,
        icon: insight === 'overview' ? 'graph-line' : 'person',
        capabilities: ['open', 'openRaw'],
        data: { uuid, insight } satisfies StudioItemData,
      };
    });
  },

  /** The CSV byte for byte (the document), and its grid with the viewership or completion chart (the preview). */
  async fetch(client, source, item, { signal }) {
    const { uuid, insight = 'overview', role: once } = item.data as StudioItemData;
    const perspective = perspectiveOf(source, uuid);
    const role = once !== undefined ? once || undefined : perspective.roles?.[insight];
    const title = `${perspective.label} · ${INSIGHT_LABEL[insight]}${role ? ` (${role})` : ''}`;
    const csv = await client.fetchInsights(insight, uuid, { role, signal });
    const grid = studioGrid(csv);
    const specs = studioChartSpecs(csv);
    return {
      key: studioResultKey(uuid, insight, role),
      title,
      subtitle: `Canvas Studio · ${perspective.label} · ${roleLabel(role)} · ${source.label}`,
      raw: { ext: 'csv', bytes: csv },
      tables: [
        {
          columns: grid.columns,
          rows: grid.rows,
          charts: specs.length > 0 ? specs : undefined,
          chartNote:
            specs.length > 0
              ? undefined
              : 'No views column over dates or over a position in the video, and no completion-rate column, in this CSV to chart; the table shows it as sent.',
        },
      ],
      summary: `Studio: ${title}: ${csv.length} bytes, ${grid.rows.length} rows, charts: ${specs.map((s) => s.kind).join(', ') || 'none'}.`,
    };
  },
};
