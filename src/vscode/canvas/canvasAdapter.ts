import { InsightError } from '../../core/errors';
import { platformOf } from '../../core/platforms';
import { counts } from '../counts';
import { CanvasClient, canvasSiteRoot } from '../../core/sources/canvas';
import { type StepArgs, inputText, pickOne, siteSourceSteps } from '../prompts';
import { NewSource, Services, SourceKindAdapter } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { TreeNode } from '../tree/nodes';
import { CanvasSourceOptions, canvasOptionsPatch, readCanvasOptions } from './canvasOptions';
import { CanvasTreeModel } from './canvasTree';
import { httpLimitsFromSettings } from '../httpSettings';

export function validateCanvasUrl(v: string): string | undefined {
  try {
    canvasSiteRoot(v);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The site root as stored: what people paste (`…/api/v1`, a course page) cut back to the instance. */
export function normalizeCanvasUrl(v: string): string {
  return canvasSiteRoot(v).toString().replace(/\/+$/, '');
}

// Canvas tokens are "<shard>~<64 chars>"; older or self-hosted ones differ, so only length is checked.
const validateToken = (v: string) =>
  v.trim().length < 16 ? 'Paste a Canvas access token (Account → Settings → Approved integrations → New access token).' : undefined;

/** Canvas LMS Analytics sources: instance URL + access token; accounts and courses in the options. */
export class CanvasAdapter implements SourceKindAdapter {
  readonly kind = 'canvas' as const;
  readonly label = platformOf('canvas').label;
  readonly detail = platformOf('canvas').detail;
  readonly icon = platformOf('canvas').icon;
  readonly model: CanvasTreeModel;

  constructor(private readonly services: Services) {
    this.model = new CanvasTreeModel(services, (s) => this.client(s));
  }

  async client(source: SourceConfig, secret?: string): Promise<CanvasClient> {
    const token = secret ?? (await this.services.store.getSecret(source.id));
    if (!token)
      throw new InsightError('auth', `No access token stored for “${source.label}”.`, { next: 'Use Set Credentials… to add one.' });
    return new CanvasClient({ baseUrl: source.baseUrl, token, logger: this.services.log, redactor: this.services.redactor, limits: httpLimitsFromSettings() });
  }

  options(source: SourceConfig): CanvasSourceOptions {
    return readCanvasOptions(source);
  }

  /** Writes the accounts/courses lists back (the store's change event refreshes the tree). */
  async saveOptions(source: SourceConfig, opts: CanvasSourceOptions): Promise<SourceConfig> {
    return this.services.store.update(source.id, { options: canvasOptionsPatch(opts) });
  }

  describe(source: SourceConfig): string {
    let host = source.baseUrl;
    try {
      host = new URL(source.baseUrl).host;
    } catch {
      /* shown as entered */
    }
    const o = readCanvasOptions(source);
    return `${host} · ${counts.accounts(o.accounts.length)} · ${counts.courses(o.courses.length)}`;
  }

  async children(sourceNode: TreeNode, source: SourceConfig): Promise<TreeNode[]> {
    return this.model.children(sourceNode, source);
  }

  forget(sourceId: string): void {
    this.model.forget(sourceId);
  }

  async add(title: string, firstStep: number): Promise<NewSource | undefined> {
    const got = await siteSourceSteps({
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
      validateLabel: (x) => (x.trim() ? undefined : 'Enter a name.'),
      secret: (label, step) => this.promptSecret({ label }, step),
    });
    if (!got) return undefined;
    const { label, baseUrl, secret } = got;
    // Account `self` (the token user's root account) is where admins start; courses are added later.
    return { input: { kind: 'canvas', label, baseUrl, options: canvasOptionsPatch(readCanvasOptions({ options: {} })) }, secret };
  }

  async promptSecret(source: Pick<SourceConfig, 'label'>, step?: StepArgs): Promise<string | undefined> {
    const v = await inputText(step ?? { title: `Set Credentials: ${source.label}` }, {
      prompt: 'Canvas access token (stored in VS Code SecretStorage, never in settings)',
      placeholder: '1234~…',
      password: true,
      validate: validateToken,
    });
    return v?.trim();
  }

  async edit(source: SourceConfig): Promise<Partial<SourceConfig> | undefined> {
    const o = readCanvasOptions(source);
    const field = await pickOne(
      { title: `Edit Source: ${source.label}` },
      [
        { label: 'Name', description: source.label, value: 'label' },
        { label: 'Canvas URL', description: source.baseUrl, value: 'baseUrl' },
        { label: 'Account ids', description: o.accounts.map((a) => a.id).join(', ') || 'none', value: 'accounts' },
        { label: 'Course ids', description: o.courses.map((c) => c.id).join(', ') || 'none', value: 'courses' },
      ],
      'What do you want to change?',
    );
    if (!field) return undefined;
    if (field === 'label') {
      const v = await inputText(
        { title: 'Rename source' },
        { prompt: 'Name', value: source.label, validate: (x) => (x.trim() ? undefined : 'Enter a name.') },
      );
      return v === undefined ? undefined : { label: v.trim() };
    }
    if (field === 'baseUrl') {
      const v = await inputText(
        { title: 'Change Canvas URL' },
        { prompt: 'Address of your Canvas instance', value: source.baseUrl, validate: validateCanvasUrl },
      );
      return v === undefined ? undefined : { baseUrl: normalizeCanvasUrl(v) };
    }
    // Editing the id lists keeps what is known about the ids that stay (names, terms, sort).
    const ids = field === 'accounts' ? o.accounts.map((a) => a.id) : o.courses.map((c) => c.id);
    const v = await inputText(
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
  }

  async testConnection(source: SourceConfig, secret: string, signal?: AbortSignal): Promise<string> {
    const client = await this.client(source, secret);
    // Any valid token may list its own courses: the cheapest call that proves URL and token.
    const courses = await client.get<unknown[]>('/api/v1/courses', { signal, query: { per_page: 100 } });
    const n = Array.isArray(courses) ? courses.length : 0;
    return `Connected to Canvas at ${client.site.host}: the token's user is enrolled in ${n === 100 ? `${n}+ courses` : counts.courses(n)}.`;
  }
}

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
  for (const id of splitIds(v)) {
    const bad = validateCanvasId(id, 'id');
    if (bad) return `“${id}” is not a Canvas id.`;
  }
  return undefined;
}
