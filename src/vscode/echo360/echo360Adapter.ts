import { InsightError } from '../../core/errors';
import { platformOf } from '../../core/platforms';
import { counts } from '../counts';
import {
  ECHO360_REGIONS,
  Echo360Client,
  Echo360Credentials,
  TokenBucket,
  echo360BaseUrl,
  echo360RateLimit,
} from '../../core/sources/echo360';
import { ResultStore } from '../documents/resultStore';
import { PickItem, inputText, pickOne, runSteps } from '../prompts';
import { NewSource, Services, SourceKindAdapter } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { TreeNode } from '../tree/nodes';
import { Echo360Runs } from './echo360Runs';
import { Echo360TreeModel } from './echo360Tree';
import { httpLimitsFromSettings, httpLimitsKey } from '../httpSettings';

type StepArgs = { title: string; step: number; totalSteps: number; back: boolean };

const CUSTOM = 'custom';
const REGION_ITEMS: PickItem<string>[] = [
  { label: 'US', description: ECHO360_REGIONS.us, value: 'us' },
  { label: 'UK', description: ECHO360_REGIONS.uk, value: 'uk' },
  { label: 'Australia', description: ECHO360_REGIONS.au, value: 'au' },
  { label: 'Canada', description: ECHO360_REGIONS.ca, value: 'ca' },
  { label: 'Custom host…', description: 'another Echo360 host URL', value: CUSTOM },
];

export function validateEcho360Host(v: string): string | undefined {
  try {
    echo360BaseUrl(v);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

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

const required = (what: string) => (v: string) => (v.trim() ? undefined : `Enter the ${what}.`);

/** Echo360 Reporting sources: region or host, API client id + secret; reports and requests in the tree. */
export class Echo360Adapter implements SourceKindAdapter {
  readonly kind = 'echo360' as const;
  readonly label = platformOf('echo360').label;
  readonly detail = platformOf('echo360').detail;
  readonly icon = platformOf('echo360').icon;
  readonly model: Echo360TreeModel;
  /** The report runs of every Echo360 source (queues, downloads, status bar); started by the caller. */
  readonly runs: Echo360Runs;
  /**
   * One client per source, kept so its token (one hour) is reused, and one limiter per host: the
   * 120 calls/minute limit is per institution, and every client of it must draw from the same bucket.
   */
  private readonly clients = new Map<string, { key: string; client: Echo360Client }>();
  private readonly limiters = new Map<string, TokenBucket>();

  constructor(
    private readonly services: Services,
    results: ResultStore,
  ) {
    const clientFor = (source: SourceConfig) => this.client(source);
    this.runs = new Echo360Runs(services, clientFor, results);
    this.model = new Echo360TreeModel(clientFor, (source) => this.runs.queue(source));
  }

  async client(source: SourceConfig, secret?: string): Promise<Echo360Client> {
    const raw = secret ?? (await this.services.store.getSecret(source.id));
    const credentials = readEcho360Secret(raw);
    if (!credentials)
      throw new InsightError('auth', `No Echo360 client id/secret stored for “${source.label}”.`, {
        next: 'Use Set Credentials… to add them.',
      });
    this.services.redactor.add(credentials.clientSecret);
    const limits = httpLimitsFromSettings();
    const key = `${source.baseUrl}\n${raw}\n${httpLimitsKey(limits)}`;
    const cached = this.clients.get(source.id);
    if (cached && cached.key === key && secret === undefined) return cached.client;
    const host = new URL(source.baseUrl).host;
    let limiter = this.limiters.get(host);
    if (!limiter) this.limiters.set(host, (limiter = new TokenBucket(echo360RateLimit)));
    const client = new Echo360Client({
      baseUrl: source.baseUrl,
      credentials,
      logger: this.services.log,
      redactor: this.services.redactor,
      rateLimiter: limiter,
      limits,
    });
    // A client made for Test Connection with a typed secret is not cached: it may be wrong.
    if (secret === undefined) this.clients.set(source.id, { key, client });
    return client;
  }

  describe(source: SourceConfig): string {
    const region = typeof source.options.region === 'string' ? source.options.region : CUSTOM;
    let host = source.baseUrl;
    try {
      host = new URL(source.baseUrl).host;
    } catch {
      /* shown as entered */
    }
    return region === CUSTOM ? host : `${region.toUpperCase()} · ${host}`;
  }

  children(sourceNode: TreeNode, source: SourceConfig): Promise<TreeNode[]> {
    return this.model.children(sourceNode, source);
  }

  forget(sourceId: string): void {
    this.clients.delete(sourceId);
    this.model.forget(sourceId);
    this.runs.restart(sourceId);
  }

  /** Region preset or custom host; resolves to `{region, baseUrl}`, or undefined when cancelled. */
  private async askHost(
    info: StepArgs | { title: string },
    current?: SourceConfig,
  ): Promise<{ region: string; baseUrl: string } | undefined> {
    const region = await pickOne(
      info,
      REGION_ITEMS,
      'Where is your institution hosted on Echo360?',
      current?.options.region as string | undefined,
    );
    if (region === undefined) return undefined;
    if (region !== CUSTOM) return { region, baseUrl: echo360BaseUrl(region).toString().replace(/\/+$/, '') };
    const v = await inputText(info, {
      prompt: 'Echo360 host URL',
      placeholder: 'https://echo360.example.edu',
      value: current?.options.region === CUSTOM ? current.baseUrl : '',
      validate: validateEcho360Host,
    });
    return v === undefined ? undefined : { region: CUSTOM, baseUrl: echo360BaseUrl(v).toString().replace(/\/+$/, '') };
  }

  async add(title: string, firstStep: number): Promise<NewSource | undefined> {
    const total = firstStep + 3;
    const info = (n: number): StepArgs => ({ title, step: firstStep + n, totalSteps: total, back: true });
    let host: { region: string; baseUrl: string } | undefined;
    let label = '';
    let clientId = '';
    let secret = '';
    const ok = await runSteps([
      async () => (host = await this.askHost(info(0))) !== undefined,
      async () => {
        const v = await inputText(info(1), {
          prompt: 'A name for this source',
          value: label || `Echo360 ${new URL(host!.baseUrl).host}`,
          validate: required('name'),
        });
        if (v === undefined) return false;
        label = v.trim();
        return true;
      },
      async () => {
        const v = await inputText(info(2), { prompt: 'Echo360 API client id', value: clientId, validate: required('client id') });
        if (v === undefined) return false;
        clientId = v.trim();
        return true;
      },
      async () => {
        const v = await this.askClientSecret(info(3));
        if (v === undefined) return false;
        secret = JSON.stringify({ clientId, clientSecret: v });
        return true;
      },
    ]);
    if (!ok || !host) return undefined;
    return { input: { kind: 'echo360', label, baseUrl: host.baseUrl, options: { region: host.region } }, secret };
  }

  private async askClientSecret(step: StepArgs | { title: string }): Promise<string | undefined> {
    const v = await inputText(step, {
      prompt: 'Echo360 API client secret (stored in VS Code SecretStorage, never in settings)',
      password: true,
      validate: required('client secret'),
    });
    return v?.trim();
  }

  /** Asks for both halves of the pair: a new secret usually comes with a new client id. */
  async promptSecret(source: Pick<SourceConfig, 'label'>, step?: StepArgs): Promise<string | undefined> {
    const title = step?.title ?? `Set Credentials: ${source.label}`;
    const id = await inputText({ ...step, title }, { prompt: 'Echo360 API client id', validate: required('client id') });
    if (id === undefined) return undefined;
    const secret = await this.askClientSecret({ ...step, title });
    return secret === undefined ? undefined : JSON.stringify({ clientId: id.trim(), clientSecret: secret });
  }

  async edit(source: SourceConfig): Promise<Partial<SourceConfig> | undefined> {
    const field = await pickOne(
      { title: `Edit Source: ${source.label}` },
      [
        { label: 'Name', description: source.label, value: 'label' },
        { label: 'Region / host', description: source.baseUrl, value: 'host' },
      ],
      'What do you want to change?',
    );
    if (field === 'label') {
      const v = await inputText({ title: 'Rename source' }, { prompt: 'Name', value: source.label, validate: required('name') });
      return v === undefined ? undefined : { label: v.trim() };
    }
    if (field === 'host') {
      const host = await this.askHost({ title: 'Change Echo360 region / host' }, source);
      return host && { baseUrl: host.baseUrl, options: { ...source.options, region: host.region } };
    }
    return undefined;
  }

  async testConnection(source: SourceConfig, secret: string, signal?: AbortSignal): Promise<string> {
    const client = await this.client(source, secret);
    // Listing the reports needs a token: it proves host, client id and secret in one call.
    const reports = await client.listReports(signal);
    return `Connected to Echo360 at ${client.baseUrl.host}: ${counts.reports(reports.length)} available.`;
  }
}
