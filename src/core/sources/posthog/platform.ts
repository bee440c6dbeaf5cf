/** PostHog as a platform: US/EU Cloud or a self-hosted instance, a project or environment id, a personal API key. */
import * as l10n from '@vscode/l10n';
import { InsightError } from '../../errors';
import { type Platform, type SourceConfig, hostOf } from '../../platform';
import { parseBaseUrl } from '../../url';
import { askName, askSecret, editSource, messageOf, runSteps, type StepArgs, type StepInfo, type UserInput } from '../../userInput';
import { POSTHOG_CLOUD, PostHogClient } from './client';

export const validateUrlInput = messageOf(parseBaseUrl);

const validateProjectId = (v: string) =>
  /^\d+$/.test(v.trim())
    ? undefined
    : l10n.t('A PostHog project or environment id is a number, e.g. 12345 (Project settings → Project ID).');
const validateKey = (v: string) =>
  v.trim().length < 8 ? l10n.t('Paste a personal API key (Settings → Personal API keys; starts with phx_).') : undefined;

const isCloud = (url: string | undefined) => url === POSTHOG_CLOUD.us || url === POSTHOG_CLOUD.eu;

/** US Cloud, EU Cloud or a self-hosted URL; resolves to the base URL, undefined when cancelled. */
async function pickBaseUrl(ui: UserInput, info: StepInfo, current?: string): Promise<string | undefined> {
  const preset = await ui.pick(
    info,
    [
      { label: l10n.t('US Cloud'), description: POSTHOG_CLOUD.us, value: POSTHOG_CLOUD.us as string },
      { label: l10n.t('EU Cloud'), description: POSTHOG_CLOUD.eu, value: POSTHOG_CLOUD.eu as string },
      { label: l10n.t('Self-hosted…'), description: l10n.t('Enter the URL of your PostHog instance'), value: '' },
    ],
    l10n.t('Where is your PostHog?'),
    isCloud(current) ? current : current ? '' : undefined,
  );
  if (preset === undefined) return undefined;
  if (preset) return preset;
  const url = await ui.text(
    { ...info, back: true },
    {
      prompt: l10n.t('Base URL of your PostHog instance (https://…)'),
      placeholder: 'https://posthog.example.edu',
      value: current && !isCloud(current) ? current : '',
      validate: validateUrlInput,
    },
  );
  return url === undefined ? undefined : parseBaseUrl(url).toString().replace(/\/+$/, '');
}

export const posthogPlatform: Platform<PostHogClient> = {
  kind: 'posthog',
  label: 'PostHog',
  // A getter: read when the Add Source pick is shown, after the extension loaded its translations.
  get detail() {
    return l10n.t('Saved insights of a project (US/EU Cloud or self-hosted), personal API key');
  },
  icon: 'graph-line',
  permissionDocs: 'https://posthog.com/docs/api#personal-api-keys',
  secretEnv: ['POSTHOG_API_KEY'],

  clientOptions: ['projectId', 'environment'],

  client(source, apiKey, deps) {
    if (!apiKey)
      throw new InsightError('auth', l10n.t('No API key stored for “{0}”.', source.label), {
        next: l10n.t('Use Set Credentials… to add one.'),
      });
    const poll = deps.setting?.('posthog.pollIntervalMs');
    return new PostHogClient({
      baseUrl: source.baseUrl,
      projectId: String(source.options.projectId ?? ''),
      environment: source.options.environment === true,
      apiKey,
      logger: deps.logger,
      redactor: deps.redactor,
      pollIntervalMs: typeof poll === 'number' ? poll : 1000,
      limits: deps.limits,
    });
  },

  async testConnection(client, source, counts, signal) {
    const { count } = await client.testConnection(signal);
    const id = String(source.options.projectId);
    return source.options.environment
      ? l10n.t('Connected to PostHog environment {0}: {1}.', id, counts.savedInsights(count))
      : l10n.t('Connected to PostHog project {0}: {1}.', id, counts.savedInsights(count));
  },

  describe(source) {
    const host = hostOf(source.baseUrl);
    const id = String(source.options.projectId ?? '?');
    return source.options.environment ? l10n.t('{0} · environment {1}', host, id) : l10n.t('{0} · project {1}', host, id);
  },

  async add(ui, title, firstStep) {
    const info = (n: number): StepArgs => ({ title, step: firstStep + n, totalSteps: firstStep + 3, back: true });
    let baseUrl = '';
    let idType = 'project' as 'project' | 'environment';
    let projectId = '';
    let label = '';
    let secret = '';
    const ok = await runSteps([
      async () => {
        const v = await pickBaseUrl(ui, info(0), baseUrl || undefined);
        if (v === undefined) return false;
        baseUrl = v;
        return true;
      },
      async () => {
        const t = await ui.pick(
          info(1),
          [
            { label: l10n.t('Project ID'), description: '/api/projects/:id', value: 'project' as const },
            { label: l10n.t('Environment ID'), description: '/api/environments/:id', value: 'environment' as const },
          ],
          l10n.t('Which id will you enter?'),
          idType,
        );
        if (t === undefined) return false;
        idType = t;
        const v = await ui.text(info(1), {
          prompt:
            idType === 'environment'
              ? l10n.t('PostHog environment id (a number, from Project settings)')
              : l10n.t('PostHog project id (a number, from Project settings)'),
          placeholder: '12345',
          value: projectId,
          validate: validateProjectId,
        });
        if (v === undefined) return false;
        projectId = v.trim();
        return true;
      },
      async () => {
        const v = await askName(ui, info(2), label || `PostHog ${new URL(baseUrl).host} · ${projectId}`);
        if (v === undefined) return false;
        label = v;
        return true;
      },
      async () => {
        const v = await this.promptSecret(ui, { label }, info(3));
        if (v === undefined) return false;
        secret = v;
        return true;
      },
    ]);
    if (!ok) return undefined;
    return { input: { kind: 'posthog', label, baseUrl, options: { projectId, environment: idType === 'environment' } }, secret };
  },

  promptSecret(ui, source, step) {
    return askSecret(ui, source, step, {
      prompt: l10n.t('PostHog personal API key (stored in VS Code SecretStorage, never in settings)'),
      placeholder: 'phx_…',
      validate: validateKey,
    });
  },

  async edit(ui, source) {
    const fields = [
      { label: l10n.t('Base URL'), description: source.baseUrl, value: 'baseUrl' as const },
      {
        label: source.options.environment ? l10n.t('Environment ID') : l10n.t('Project ID'),
        description: String(source.options.projectId ?? ''),
        value: 'projectId' as const,
      },
    ];
    return editSource(ui, source, fields, async (field): Promise<Partial<SourceConfig> | undefined> => {
      if (field === 'baseUrl') {
        const v = await pickBaseUrl(ui, { title: l10n.t('Change base URL'), step: 1, totalSteps: 1, back: false }, source.baseUrl);
        return v === undefined ? undefined : { baseUrl: v };
      }
      const v = await ui.text(
        { title: l10n.t('Change id') },
        { prompt: l10n.t('PostHog project or environment id'), value: String(source.options.projectId ?? ''), validate: validateProjectId },
      );
      return v === undefined ? undefined : { options: { ...source.options, projectId: v.trim() } };
    });
  },
};
