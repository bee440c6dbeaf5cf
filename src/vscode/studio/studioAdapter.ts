import { InsightError } from '../../core/errors';
import { platformOf } from '../../core/platforms';
import { counts } from '../counts';
import { StudioApiError, StudioClient, StudioTokens, studioUrls } from '../../core/sources/studio';
import { type StepArgs, inputText, pickOne, siteSourceSteps } from '../prompts';
import { NewSource, Services, SourceKindAdapter } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { TreeNode } from '../tree/nodes';
import { StudioSecret, parseStudioSecret, readPerspectives, refreshOf, serializeStudioSecret } from './studioOptions';
import { StudioTreeModel } from './studioTree';
import { httpLimitsFromSettings, httpLimitsKey } from '../httpSettings';

export function validateStudioUrl(v: string): string | undefined {
  try {
    studioUrls(v);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Stored as the site root; the client derives the API root (`/api/public/v1`) from it. */
export function normalizeStudioUrl(v: string): string {
  return studioUrls(v).site.toString().replace(/\/+$/, '');
}

const validateToken = (v: string) => (v.trim().length < 8 ? 'Paste a Studio API access token.' : undefined);
const required = (what: string) => (v: string) => (v.trim() ? undefined : `Enter the ${what}.`);

/** The nil UUID: a perspective that cannot exist, so asking for it tests the token alone. */
const PROBE_PERSPECTIVE = '00000000-0000-0000-0000-000000000000';

/** Canvas Studio sources: site URL + token (optionally with renewal); perspectives in the options. */
export class StudioAdapter implements SourceKindAdapter {
  readonly kind = 'studio' as const;
  readonly label = platformOf('studio').label;
  readonly detail = platformOf('studio').detail;
  readonly icon = platformOf('studio').icon;
  readonly model: StudioTreeModel;
  /**
   * One client per source while its secret is unchanged: renewal state (single-use refresh tokens)
   * lives in the client, and two clients renewing at once would burn each other's refresh token.
   */
  private readonly clients = new Map<string, { secret: string; baseUrl: string; limits: string; client: StudioClient }>();

  constructor(private readonly services: Services) {
    this.model = new StudioTreeModel(services);
  }

  async client(source: SourceConfig, secretOverride?: string): Promise<StudioClient> {
    const secret = secretOverride ?? (await this.services.store.getSecret(source.id));
    if (!secret)
      throw new InsightError('auth', `No access token stored for “${source.label}”.`, { next: 'Use Set Credentials… to add one.' });
    const cached = this.clients.get(source.id);
    const limits = httpLimitsFromSettings();
    if (!secretOverride && cached && cached.secret === secret && cached.baseUrl === source.baseUrl && cached.limits === httpLimitsKey(limits)) return cached.client;
    const bundle = parseStudioSecret(secret);
    // A draft (Add Source's connection test) has nowhere to store renewed tokens yet, and a renewal
    // would spend the single-use refresh token it is about to save: it tests the access token only.
    const stored = this.services.store.get(source.id) !== undefined;
    const client = new StudioClient({
      baseUrl: source.baseUrl,
      accessToken: bundle.accessToken,
      refresh: stored ? refreshOf(bundle) : undefined,
      logger: this.services.log,
      redactor: this.services.redactor,
      onTokens: stored ? (t) => this.storeRenewed(source, t) : undefined,
      limits,
    });
    if (!secretOverride) this.clients.set(source.id, { secret, baseUrl: source.baseUrl, limits: httpLimitsKey(limits), client });
    return client;
  }

  /** Writes renewed tokens back into the source's secret, so the next session starts with them. */
  private async storeRenewed(source: SourceConfig, t: StudioTokens): Promise<void> {
    const current = parseStudioSecret((await this.services.store.getSecret(source.id)) ?? '');
    const next = serializeStudioSecret({ ...current, accessToken: t.accessToken, refreshToken: t.refreshToken ?? current.refreshToken });
    this.services.redactor.add(t.accessToken);
    this.services.redactor.add(t.refreshToken);
    const cached = this.clients.get(source.id);
    // Keep the cached client: it already holds the new tokens, and the secret it matches is now `next`.
    if (cached) cached.secret = next;
    await this.services.store.setSecret(source.id, next);
    this.services.log.info(`Studio: renewed the access token of “${source.label}” and stored it.`);
  }

  describe(source: SourceConfig): string {
    let host = source.baseUrl;
    try {
      host = new URL(source.baseUrl).host;
    } catch {
      /* shown as entered */
    }
    const n = readPerspectives(source).length;
    return `${host} · ${counts.perspectives(n)}`;
  }

  async children(sourceNode: TreeNode, source: SourceConfig): Promise<TreeNode[]> {
    return this.model.children(sourceNode, source);
  }

  forget(sourceId: string): void {
    this.clients.delete(sourceId);
  }

  async add(title: string, firstStep: number): Promise<NewSource | undefined> {
    const got = await siteSourceSteps({
      title,
      firstStep,
      // URL, name, token, renewal choice (promptSecret asks the last two).
      totalSteps: firstStep + 3,
      url: {
        prompt: 'Your Studio site or its API root',
        placeholder: 'https://school.instructuremedia.com',
        validate: validateStudioUrl,
        normalize: normalizeStudioUrl,
      },
      defaultLabel: (baseUrl) => `Studio ${new URL(baseUrl).host}`,
      validateLabel: required('name'),
      secret: (label, step) => this.promptSecret({ label }, step),
    });
    if (!got) return undefined;
    const { label, baseUrl, secret } = got;
    return { input: { kind: 'studio', label, baseUrl, options: { perspectives: '[]' } }, secret };
  }

  /**
   * The access token, then whether to set up renewal (refresh token + OAuth client id/secret).
   * Resolves to the serialized secret bundle.
   */
  async promptSecret(source: Pick<SourceConfig, 'label'>, step?: StepArgs): Promise<string | undefined> {
    const title = step?.title ?? `Set Credentials: ${source.label}`;
    const at = step?.step ?? 1;
    const total = step?.totalSteps ?? 2;
    const accessToken = await inputText(
      { title, step: at, totalSteps: total, back: step?.back },
      { prompt: 'Studio access token (stored in VS Code SecretStorage, never in settings)', password: true, validate: validateToken },
    );
    if (accessToken === undefined) return undefined;
    const bundle: StudioSecret = { accessToken: accessToken.trim() };
    this.services.redactor.add(bundle.accessToken);
    const renew = await pickOne(
      { title, step: at + 1, totalSteps: total },
      [
        { label: 'No renewal', detail: 'When the token expires, Set Credentials asks for a new one.', value: false },
        {
          label: 'Renew automatically…',
          detail: 'Add the refresh token and the OAuth client (id and secret) the token was issued with.',
          value: true,
        },
      ],
      'Renew the token when Studio says it expired?',
      false,
    );
    if (renew === undefined) return undefined;
    if (renew) {
      const sub = { title, totalSteps: at + 4 };
      const refreshToken = await inputText(
        { ...sub, step: at + 2 },
        { prompt: 'Refresh token', password: true, validate: required('refresh token') },
      );
      if (refreshToken === undefined) return undefined;
      const clientId = await inputText(
        { ...sub, step: at + 3 },
        { prompt: 'OAuth client id (Studio admin → API keys)', validate: required('client id') },
      );
      if (clientId === undefined) return undefined;
      const clientSecret = await inputText(
        { ...sub, step: at + 4 },
        { prompt: 'OAuth client secret', password: true, validate: required('client secret') },
      );
      if (clientSecret === undefined) return undefined;
      Object.assign(bundle, { refreshToken: refreshToken.trim(), clientId: clientId.trim(), clientSecret: clientSecret.trim() });
      this.services.redactor.add(bundle.refreshToken);
      this.services.redactor.add(bundle.clientSecret);
    }
    return serializeStudioSecret(bundle);
  }

  async edit(source: SourceConfig): Promise<Partial<SourceConfig> | undefined> {
    const field = await pickOne(
      { title: `Edit Source: ${source.label}` },
      [
        { label: 'Name', description: source.label, value: 'label' },
        { label: 'Studio URL', description: source.baseUrl, value: 'baseUrl' },
      ],
      'What do you want to change? (Perspectives: Add Perspective… / Remove Perspective in the tree)',
    );
    if (!field) return undefined;
    if (field === 'label') {
      const v = await inputText({ title: 'Rename source' }, { prompt: 'Name', value: source.label, validate: required('name') });
      return v === undefined ? undefined : { label: v.trim() };
    }
    const v = await inputText(
      { title: 'Change Studio URL' },
      { prompt: 'Your Studio site or its API root', value: source.baseUrl, validate: validateStudioUrl },
    );
    return v === undefined ? undefined : { baseUrl: normalizeStudioUrl(v) };
  }

  /**
   * Studio has no "who am I" endpoint in its public API. With a perspective, its overview is the
   * test; without one, the nil-UUID perspective: a 404 there means the token was accepted.
   */
  async testConnection(source: SourceConfig, secret: string, signal?: AbortSignal): Promise<string> {
    const client = await this.client(source, secret);
    const first = readPerspectives(source)[0];
    if (first) {
      const csv = await client.fetchInsights('overview', first.uuid, { signal });
      return `Connected to Studio at ${client.site.host}: “${first.label}” overview is ${csv.length} bytes.`;
    }
    try {
      await client.fetchInsights('overview', PROBE_PERSPECTIVE, { signal });
    } catch (e) {
      if (e instanceof StudioApiError && e.reason === 'notFound')
        return `Connected to Studio at ${client.site.host}: the token was accepted. Add a perspective to read its insights.`;
      throw e;
    }
    return `Connected to Studio at ${client.site.host}.`;
  }
}
