import * as vscode from 'vscode';
import { safeText } from '../core/text';

import { type PickItem as CorePickItem, StepBack, type StepInfo, type TextOptions, type UserInput } from '../core/userInput';

export { StepBack, type StepArgs, type StepInfo, type TextOptions } from '../core/userInput';

/**
 * The UserInput seam (src/core/userInput.ts) in VS Code: quick picks and input boxes, so
 * multi-step flows show "Add Source (2/5)", keep the typed value on validation errors and support
 * a Back button.
 */
export const vscodeInput: UserInput = { pick: pickOne, text: inputText };

export interface PickItem<T> extends CorePickItem<T>, vscode.QuickPickItem {
  label: string;
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
      ...(i.icon !== undefined ? { iconPath: new vscode.ThemeIcon(i.icon) } : {}),
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
