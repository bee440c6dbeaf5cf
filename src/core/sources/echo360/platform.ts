/** Echo360 Reporting as a platform: a region or host, and an API client id + secret stored together. */
import * as l10n from '@vscode/l10n';
import { InsightError } from '../../errors';
import { type Platform, hostOf } from '../../platform';
import {
  askName,
  askSecret,
  editSource,
  messageOf,
  required,
  runSteps,
  type PickItem,
  type StepArgs,
  type StepInfo,
  type UserInput,
} from '../../userInput';
import { ECHO360_REGIONS, Echo360Client, type Echo360Credentials, echo360BaseUrl } from './client';
import { TokenBucket, echo360RateLimit } from './rateLimit';
import type { SourceConfig } from '../../platform';

const CUSTOM = 'custom';
/** Made when shown (not at load), so the labels are in the language the extension loaded. */
const regionItems = (): PickItem<string>[] => [
  { label: l10n.t('US'), description: ECHO360_REGIONS.us, value: 'us' },
  { label: l10n.t('UK'), description: ECHO360_REGIONS.uk, value: 'uk' },
  { label: l10n.t('Australia'), description: ECHO360_REGIONS.au, value: 'au' },
  { label: l10n.t('Canada'), description: ECHO360_REGIONS.ca, value: 'ca' },
  { label: l10n.t('Custom host…'), description: l10n.t('another Echo360 host URL'), value: CUSTOM },
];

export const validateEcho360Host = messageOf(echo360BaseUrl);

/**
 * The one secret of an Echo360 source: `{clientId, clientSecret}` as JSON. The pair is stored
 * together because neither is of any use without the other, and Set Credentials replaces both.
 */
export function readEcho360Secret(secret: string | undefined): Echo360Credentials | undefined {
  if (!secret) return undefined;
  try {
    const v = JSON.parse(secret) as Partial<Echo360Credentials>;
    if (typeof v.clientId === 'string' && typeof v.clientSecret === 'string') return { clientId: v.clientId, clientSecret: v.clientSecret };
  } catch {
    /* not JSON: treated as missing */
  }
  return undefined;
}

/** Region preset or custom host; resolves to `{region, baseUrl}`, or undefined when cancelled. */
async function askHost(ui: UserInput, info: StepInfo, current?: SourceConfig): Promise<{ region: string; baseUrl: string } | undefined> {
  const region = await ui.pick(
    info,
    regionItems(),
    l10n.t('Where is your institution hosted on Echo360?'),
    current?.options.region as string | undefined,
  );
  if (region === undefined) return undefined;
  if (region !== CUSTOM) return { region, baseUrl: echo360BaseUrl(region).toString().replace(/\/+$/, '') };
  const v = await ui.text(info, {
    prompt: l10n.t('Echo360 host URL'),
    placeholder: 'https://echo360.example.edu',
    value: current?.options.region === CUSTOM ? current.baseUrl : '',
    validate: validateEcho360Host,
  });
  return v === undefined ? undefined : { region: CUSTOM, baseUrl: echo360BaseUrl(v).toString().replace(/\/+$/, '') };
}

const askClientSecret = (ui: UserInput, step: StepInfo) =>
  askSecret(ui, { label: '' }, step, {
    prompt: l10n.t('Echo360 API client secret (stored in VS Code SecretStorage, never in settings)'),
    validate: required(l10n.t('Enter the client secret.')),
  });

export const echo360Platform: Platform<Echo360Client> = {
  kind: 'echo360',
  label: 'Echo360 Reporting',
  // A getter: read when the Add Source pick is shown, after the extension loaded its translations.
  get detail() {
    return l10n.t('Report requests (views, sessions, polling…) of an Echo360 institution, API client id + secret');
  },
  icon: 'device-camera-video',
  permissionDocs: 'https://support.echo360.com/hc/en-us/articles/360042030652',
  secretEnv: ['ECHO360_CLIENT_ID', 'ECHO360_CLIENT_SECRET'],

  /**
   * Keep one client per source (its token lasts an hour). The 120 calls/minute limit is per
   * institution: every client of a host draws from the same bucket.
   */
  client(source, secret, deps) {
    const credentials = readEcho360Secret(secret);
    if (!credentials)
      throw new InsightError('auth', l10n.t('No Echo360 client id/secret stored for “{0}”.', source.label), {
        next: l10n.t('Use Set Credentials… to add them.'),
      });
    const host = new URL(source.baseUrl).host;
    return new Echo360Client({
      baseUrl: source.baseUrl,
      credentials,
      logger: deps.logger,
      redactor: deps.redactor,
      rateLimiter: deps.shared(`echo360.limiter:${host}`, () => new TokenBucket(echo360RateLimit)),
      limits: deps.limits,
    });
  },

  async testConnection(client, _source, counts, signal) {
    // Listing the reports needs a token: it proves host, client id and secret in one call.
    const reports = await client.listReports(signal);
    return l10n.t('Connected to Echo360 at {0}: {1} available.', client.baseUrl.host, counts.reports(reports.length));
  },

  describe(source) {
    const region = typeof source.options.region === 'string' ? source.options.region : CUSTOM;
    const host = hostOf(source.baseUrl);
    return region === CUSTOM ? host : `${region.toUpperCase()} · ${host}`;
  },

  async add(ui, title, firstStep) {
    const info = (n: number): StepArgs => ({ title, step: firstStep + n, totalSteps: firstStep + 3, back: true });
    let host: { region: string; baseUrl: string } | undefined;
    let label = '';
    let clientId = '';
    let secret = '';
    const ok = await runSteps([
      async () => (host = await askHost(ui, info(0))) !== undefined,
      async () => {
        const v = await askName(ui, info(1), label || `Echo360 ${new URL(host!.baseUrl).host}`);
        if (v === undefined) return false;
        label = v;
        return true;
      },
      async () => {
        const v = await ui.text(info(2), {
          prompt: l10n.t('Echo360 API client id'),
          value: clientId,
          validate: required(l10n.t('Enter the client id.')),
        });
        if (v === undefined) return false;
        clientId = v.trim();
        return true;
      },
      async () => {
        const v = await askClientSecret(ui, info(3));
        if (v === undefined) return false;
        secret = JSON.stringify({ clientId, clientSecret: v });
        return true;
      },
    ]);
    if (!ok || !host) return undefined;
    return { input: { kind: 'echo360', label, baseUrl: host.baseUrl, options: { region: host.region } }, secret };
  },

  /** Asks for both halves of the pair: a new secret usually comes with a new client id. */
  async promptSecret(ui, source, step) {
    const title = step?.title ?? l10n.t('Set Credentials: {0}', source.label);
    const id = await ui.text(
      { ...step, title },
      { prompt: l10n.t('Echo360 API client id'), validate: required(l10n.t('Enter the client id.')) },
    );
    if (id === undefined) return undefined;
    const secret = await askClientSecret(ui, { ...step, title });
    return secret === undefined ? undefined : JSON.stringify({ clientId: id.trim(), clientSecret: secret });
  },

  secretParts(secret) {
    const c = readEcho360Secret(secret);
    return c ? [c.clientSecret] : [];
  },

  async edit(ui, source) {
    return editSource(ui, source, [{ label: l10n.t('Region / host'), description: source.baseUrl, value: 'host' as const }], async () => {
      const host = await askHost(ui, { title: l10n.t('Change Echo360 region / host') }, source);
      return host && { baseUrl: host.baseUrl, options: { ...source.options, region: host.region } };
    });
  },
};
