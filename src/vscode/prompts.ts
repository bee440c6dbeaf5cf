import * as vscode from 'vscode';
import { safeText } from '../core/text';

/**
 * Small multi-step input helpers over createQuickPick/createInputBox, so multi-step flows show
 * "Add Source (2/5)", keep the typed value on validation errors and support a Back button.
 */
export class StepBack extends Error {}

export interface StepInfo {
  title: string;
  step?: number;
  totalSteps?: number;
  back?: boolean;
}

/** One step of a numbered flow with a Back button. */
export type StepArgs = Required<StepInfo>;

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export function pickOne<T>(info: StepInfo, items: PickItem<T>[], placeholder: string, active?: T): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const qp = vscode.window.createQuickPick<PickItem<T>>();
    qp.title = info.title;
    qp.step = info.step;
    qp.totalSteps = info.totalSteps;
    qp.placeholder = placeholder;
    // Labels often quote servers (insight names, course names): shown escaped, never as control characters.
    const shown = items.map((i) => ({
      ...i,
      label: safeText(i.label),
      ...(i.description !== undefined ? { description: safeText(i.description) } : {}),
      ...(i.detail !== undefined ? { detail: safeText(i.detail) } : {}),
    }));
    qp.items = shown;
    qp.ignoreFocusOut = true;
    if (active !== undefined) {
      const a = shown.find((i) => i.value === active);
      if (a) qp.activeItems = [a];
    }
    if (info.back) qp.buttons = [vscode.QuickInputButtons.Back];
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      fn();
      qp.dispose();
    };
    qp.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) finish(() => reject(new StepBack()));
    });
    qp.onDidAccept(() => {
      const sel = qp.selectedItems[0] ?? qp.activeItems[0];
      if (sel) finish(() => resolve(sel.value));
    });
    qp.onDidHide(() => finish(() => resolve(undefined)));
    qp.show();
  });
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

export function inputText(info: StepInfo, opts: TextOptions): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const box = vscode.window.createInputBox();
    box.title = info.title;
    box.step = info.step;
    box.totalSteps = info.totalSteps;
    box.prompt = opts.prompt;
    box.value = opts.value ?? '';
    box.placeholder = opts.placeholder;
    box.password = opts.password ?? false;
    box.ignoreFocusOut = true;
    if (info.back) box.buttons = [vscode.QuickInputButtons.Back];
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      fn();
      box.dispose();
    };
    const check = (v: string) => {
      box.validationMessage = opts.validate?.(v);
      if (opts.hint) {
        const h = box.validationMessage ? undefined : opts.hint(v);
        box.prompt = h ? `${opts.prompt} ${h}` : opts.prompt;
      }
      return !box.validationMessage;
    };
    box.onDidChangeValue((v) => void check(v));
    box.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) finish(() => reject(new StepBack()));
    });
    box.onDidAccept(() => {
      if (check(box.value)) finish(() => resolve(box.value));
    });
    box.onDidHide(() => finish(() => resolve(undefined)));
    box.show();
  });
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
      if (e instanceof StepBack) i = Math.max(0, i - 1);
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
  validateLabel: (value: string) => string | undefined;
  /** Asks for the secret at `step` (its first step); undefined when cancelled. */
  secret: (label: string, step: StepArgs) => Promise<string | undefined>;
}

/**
 * The Add Source steps of a source on a site with a token (Canvas, Studio): the site's address,
 * a name for the source, then the secret, with Back between them. Undefined when cancelled.
 */
export async function siteSourceSteps(o: SiteSourceSteps): Promise<{ baseUrl: string; label: string; secret: string } | undefined> {
  const info = (n: number): StepArgs => ({ title: o.title, step: o.firstStep + n, totalSteps: o.totalSteps, back: true });
  let baseUrl = '';
  let label = '';
  let secret = '';
  const ok = await runSteps([
    async () => {
      const v = await inputText(info(0), {
        prompt: o.url.prompt,
        placeholder: o.url.placeholder,
        value: baseUrl,
        validate: o.url.validate,
      });
      if (v === undefined) return false;
      baseUrl = o.url.normalize(v);
      return true;
    },
    async () => {
      const v = await inputText(info(1), {
        prompt: 'A name for this source',
        value: label || o.defaultLabel(baseUrl),
        validate: o.validateLabel,
      });
      if (v === undefined) return false;
      label = v.trim();
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
