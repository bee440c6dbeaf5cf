/**
 * The seam every prompt goes through: a pick from a list and a line of text, with the step
 * numbering and Back button of multi-step flows. The VS Code layer implements it with quick
 * picks and input boxes (src/vscode/prompts.ts); tests script it (test/unit/kit/testUserInput.ts), so
 * the Add Source, Edit Source and Set Credentials flows of every platform run in plain Node.
 *
 * What these flows show goes through `l10n.t('…{0}…', args)` of `@vscode/l10n`: the extension
 * loads VS Code's bundle into it at activation, so the prompts are translated there; the CLI
 * never does, so it stays English (README "Localization").
 */
import * as l10n from '@vscode/l10n';

/**
 * Thrown by a step whose Back button was pressed; runSteps goes back one step. Known by its name
 * too, so a scripted input built from another copy of this module (a test) can press Back.
 */
export class StepBack extends Error {
  override readonly name = 'StepBack';
}

const isStepBack = (e: unknown): boolean => e instanceof StepBack || (e instanceof Error && e.name === 'StepBack');

export interface StepInfo {
  title: string;
  step?: number;
  totalSteps?: number;
  back?: boolean;
}

/** One step of a numbered flow with a Back button. */
export type StepArgs = Required<StepInfo>;

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  /** A codicon id. */
  icon?: string;
  value: T;
}

export interface TextOptions {
  prompt: string;
  value?: string;
  placeholder?: string;
  password?: boolean;
  /** Returns an error message, or undefined when valid. */
  validate?: (value: string) => string | undefined;
  /** A warning that does not block the value (shown after the prompt while it applies). */
  hint?: (value: string) => string | undefined;
}

export interface UserInput {
  /** The value of the picked item; undefined when dismissed; throws StepBack on Back. */
  pick<T>(info: StepInfo, items: PickItem<T>[], placeholder: string, active?: T): Promise<T | undefined>;
  /** The accepted text (valid by `validate`); undefined when dismissed; throws StepBack on Back. */
  text(info: StepInfo, opts: TextOptions): Promise<string | undefined>;
}

/**
 * Runs steps in order; a step throwing StepBack goes back one. Each step returns false to stop
 * (cancelled), true to go on.
 */
export async function runSteps(steps: ((back: boolean) => Promise<boolean>)[]): Promise<boolean> {
  let i = 0;
  while (i < steps.length) {
    try {
      if (!(await steps[i](i > 0))) return false;
      i++;
    } catch (e) {
      if (isStepBack(e)) i = Math.max(0, i - 1);
      else throw e;
    }
  }
  return true;
}

export interface SiteSourceSteps {
  title: string;
  firstStep: number;
  /** The flow's last step number (the secret may take more than one step). */
  totalSteps: number;
  /** The site's address box: its prompt, placeholder and check, and how a valid entry is normalized. */
  url: { prompt: string; placeholder: string; validate: (value: string) => string | undefined; normalize: (value: string) => string };
  /** The name suggested for the normalized address. */
  defaultLabel: (baseUrl: string) => string;
  /** Asks for the secret at `step` (its first step); undefined when cancelled. */
  secret: (label: string, step: StepArgs) => Promise<string | undefined>;
}

/**
 * The Add Source steps of a source on a site with a token (Canvas, Studio): the site's address,
 * a name for the source, then the secret, with Back between them. Undefined when cancelled.
 */
export async function siteSourceSteps(
  ui: UserInput,
  o: SiteSourceSteps,
): Promise<{ baseUrl: string; label: string; secret: string } | undefined> {
  const info = (n: number): StepArgs => ({ title: o.title, step: o.firstStep + n, totalSteps: o.totalSteps, back: true });
  let baseUrl = '';
  let label = '';
  let secret = '';
  const ok = await runSteps([
    async () => {
      const v = await ui.text(info(0), { prompt: o.url.prompt, placeholder: o.url.placeholder, value: baseUrl, validate: o.url.validate });
      if (v === undefined) return false;
      baseUrl = o.url.normalize(v);
      return true;
    },
    async () => {
      const v = await askName(ui, info(1), label || o.defaultLabel(baseUrl));
      if (v === undefined) return false;
      label = v;
      return true;
    },
    async () => {
      const v = await o.secret(label, info(2));
      if (v === undefined) return false;
      secret = v;
      return true;
    },
  ]);
  return ok ? { baseUrl, label, secret } : undefined;
}

/** A text box's check that refuses an empty box with `message` (`l10n.t('Enter the client id.')`). */
export const required = (message: string) => (v: string) => (v.trim() ? undefined : message);

/** The name box of Add Source and Rename; resolves to the trimmed name. */
export async function askName(
  ui: UserInput,
  info: StepInfo,
  value: string,
  prompt = l10n.t('A name for this source'),
): Promise<string | undefined> {
  const v = await ui.text(info, { prompt, value, validate: (x) => (x.trim() ? undefined : l10n.t('Enter a name.')) });
  return v?.trim();
}

/** The error message of a check that throws on bad input, for a text box's `validate`. */
export function messageOf(check: (v: string) => unknown): (v: string) => string | undefined {
  return (v) => {
    try {
      check(v);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
}

/** A secret's password box (Set Credentials, or a step of Add Source); resolves to the trimmed secret. */
export async function askSecret(
  ui: UserInput,
  source: { label: string },
  step: StepInfo | undefined,
  opts: Omit<TextOptions, 'password'>,
): Promise<string | undefined> {
  const v = await ui.text(step ?? { title: l10n.t('Set Credentials: {0}', source.label) }, { ...opts, password: true });
  return v?.trim();
}

const NAME = '\u0000name';

/**
 * Edit Source: a pick of what to change — the name first, then the platform's own fields. The
 * name is asked here; any other field goes to `edit`. Undefined when cancelled.
 */
export async function editSource<F extends string, P>(
  ui: UserInput,
  source: { label: string },
  fields: PickItem<F>[],
  edit: (field: F) => Promise<P | undefined>,
  placeholder = l10n.t('What do you want to change?'),
): Promise<P | { label: string } | undefined> {
  const field = await ui.pick<F | typeof NAME>(
    { title: l10n.t('Edit Source: {0}', source.label) },
    [{ label: l10n.t('Name'), description: source.label, value: NAME }, ...fields],
    placeholder,
  );
  if (field === undefined) return undefined;
  if (field === NAME) {
    const v = await askName(ui, { title: l10n.t('Rename source') }, source.label, l10n.t('Name'));
    return v === undefined ? undefined : { label: v };
  }
  return edit(field);
}
