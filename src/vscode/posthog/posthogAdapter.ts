import * as vscode from 'vscode';
import { platformOf } from '../../core/platforms';
import { counts } from '../counts';
import { InsightError } from '../../core/errors';
import { POSTHOG_CLOUD, PostHogClient } from '../../core/sources/posthog/client';
import { parseBaseUrl } from '../../core/url';
import { inputText, pickOne, runSteps } from '../prompts';
import { NewSource, Services, SourceKindAdapter } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { TreeNode } from '../tree/nodes';
import { PostHogTreeModel } from './posthogTree';
import { RunningFetches } from './runningFetches';
import { httpLimitsFromSettings } from '../httpSettings';

export function validateUrlInput(v: string): string | undefined {
  try {
    parseBaseUrl(v);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const validateProjectId = (v: string) => (/^\d+$/.test(v.trim()) ? undefined : 'A PostHog project or environment id is a number, e.g. 12345 (Project settings → Project ID).');
const validateKey = (v: string) => (v.trim().length < 8 ? 'Paste a personal API key (Settings → Personal API keys; starts with phx_).' : undefined);

export class PostHogAdapter implements SourceKindAdapter {
  readonly kind = 'posthog' as const;
  readonly label = platformOf('posthog').label;
  readonly detail = platformOf('posthog').detail;
  readonly icon = platformOf('posthog').icon;
  readonly model: PostHogTreeModel;
  /** Fetches in flight (disposed with the PostHog commands). */
  readonly running = new RunningFetches();

  constructor(private readonly services: Services) {
    this.model = new PostHogTreeModel(services, (s) => this.client(s), this.running);
  }

  async client(source: SourceConfig, secret?: string): Promise<PostHogClient> {
    const key = secret ?? (await this.services.store.getSecret(source.id));
    if (!key) throw new InsightError('auth', `No API key stored for “${source.label}”.`, { next: 'Use Set Credentials… to add one.' });
    const cfg = vscode.workspace.getConfiguration('insightExplorer');
    return new PostHogClient({
      baseUrl: source.baseUrl,
      projectId: String(source.options.projectId ?? ''),
      environment: source.options.environment === true,
      apiKey: key,
      logger: this.services.log,
      redactor: this.services.redactor,
      pollIntervalMs: cfg.get<number>('posthog.pollIntervalMs', 1000),
      limits: httpLimitsFromSettings(),
    });
  }

  describe(source: SourceConfig): string {
    let host = source.baseUrl;
    try {
      host = new URL(source.baseUrl).host;
    } catch {
      /* shown as entered */
    }
    return `${host} · ${source.options.environment ? 'environment' : 'project'} ${source.options.projectId ?? '?'}`;
  }

  async children(sourceNode: TreeNode, source: SourceConfig): Promise<TreeNode[]> {
    return this.model.children(sourceNode, source);
  }

  forget(sourceId: string): void {
    this.model.forget(sourceId);
  }

  private async pickBaseUrl(info: { title: string; step: number; totalSteps: number; back: boolean }, current?: string): Promise<string | undefined> {
    const preset = await pickOne(
      info,
      [
        { label: 'US Cloud', description: POSTHOG_CLOUD.us, value: POSTHOG_CLOUD.us as string },
        { label: 'EU Cloud', description: POSTHOG_CLOUD.eu, value: POSTHOG_CLOUD.eu as string },
        { label: 'Self-hosted…', description: 'Enter the URL of your PostHog instance', value: '' },
      ],
      'Where is your PostHog?',
      current === POSTHOG_CLOUD.us || current === POSTHOG_CLOUD.eu ? current : current ? '' : undefined,
    );
    if (preset === undefined) return undefined;
    if (preset) return preset;
    const url = await inputText({ ...info, back: true }, { prompt: 'Base URL of your PostHog instance (https://…)', placeholder: 'https://posthog.example.edu', value: current && current !== POSTHOG_CLOUD.us && current !== POSTHOG_CLOUD.eu ? current : '', validate: validateUrlInput });
    return url === undefined ? undefined : parseBaseUrl(url).toString().replace(/\/+$/, '');
  }

  async add(title: string, firstStep: number): Promise<NewSource | undefined> {
    const total = firstStep + 3;
    const info = (n: number) => ({ title, step: firstStep + n, totalSteps: total, back: true });
    let baseUrl = '';
    let idType = 'project' as 'project' | 'environment';
    let projectId = '';
    let label = '';
    let secret = '';
    const ok = await runSteps([
      async () => {
        const v = await this.pickBaseUrl(info(0), baseUrl || undefined);
        if (v === undefined) return false;
        baseUrl = v;
        return true;
      },
      async () => {
        const t = await pickOne(
          info(1),
          [
            { label: 'Project ID', description: '/api/projects/:id', value: 'project' as const },
            { label: 'Environment ID', description: '/api/environments/:id', value: 'environment' as const },
          ],
          'Which id will you enter?',
          idType,
        );
        if (t === undefined) return false;
        idType = t;
        const v = await inputText(info(1), { prompt: `PostHog ${idType} id (a number, from Project settings)`, placeholder: '12345', value: projectId, validate: validateProjectId });
        if (v === undefined) return false;
        projectId = v.trim();
        return true;
      },
      async () => {
        const host = new URL(baseUrl).host;
        const v = await inputText(info(2), { prompt: 'A name for this source', value: label || `PostHog ${host} · ${projectId}`, validate: (x) => (x.trim() ? undefined : 'Enter a name.') });
        if (v === undefined) return false;
        label = v.trim();
        return true;
      },
      async () => {
        const v = await this.promptSecret({ label: label }, info(3));
        if (v === undefined) return false;
        secret = v;
        return true;
      },
    ]);
    if (!ok) return undefined;
    return { input: { kind: 'posthog', label, baseUrl, options: { projectId, environment: idType === 'environment' } }, secret };
  }

  async promptSecret(source: Pick<SourceConfig, 'label'>, step?: { title: string; step: number; totalSteps: number; back: boolean }): Promise<string | undefined> {
    const v = await inputText(step ?? { title: `Set Credentials: ${source.label}` }, {
      prompt: 'PostHog personal API key (stored in VS Code SecretStorage, never in settings)',
      placeholder: 'phx_…',
      password: true,
      validate: validateKey,
    });
    return v?.trim();
  }

  async edit(source: SourceConfig): Promise<Partial<SourceConfig> | undefined> {
    const field = await pickOne(
      { title: `Edit Source: ${source.label}` },
      [
        { label: 'Name', description: source.label, value: 'label' },
        { label: 'Base URL', description: source.baseUrl, value: 'baseUrl' },
        { label: source.options.environment ? 'Environment ID' : 'Project ID', description: String(source.options.projectId ?? ''), value: 'projectId' },
      ],
      'What do you want to change?',
    );
    if (!field) return undefined;
    if (field === 'label') {
      const v = await inputText({ title: 'Rename source' }, { prompt: 'Name', value: source.label, validate: (x) => (x.trim() ? undefined : 'Enter a name.') });
      return v === undefined ? undefined : { label: v.trim() };
    }
    if (field === 'baseUrl') {
      const v = await this.pickBaseUrl({ title: 'Change base URL', step: 1, totalSteps: 1, back: false }, source.baseUrl);
      return v === undefined ? undefined : { baseUrl: v };
    }
    const v = await inputText({ title: 'Change id' }, { prompt: 'PostHog project or environment id', value: String(source.options.projectId ?? ''), validate: validateProjectId });
    return v === undefined ? undefined : { options: { ...source.options, projectId: v.trim() } };
  }

  async testConnection(source: SourceConfig, secret: string, signal?: AbortSignal): Promise<string> {
    const client = await this.client(source, secret);
    const { count } = await client.testConnection(signal);
    return `Connected to PostHog ${source.options.environment ? 'environment' : 'project'} ${source.options.projectId}: ${counts.savedInsights(count)}.`;
  }
}
