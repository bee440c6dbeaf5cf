/**
 * A scripted UserInput (src/core/userInput.ts) for Node tests of the prompt flows: each answer is
 * given in order, and every prompt shown is recorded (title, step, prompt, prefilled value,
 * password), so a test checks what the user would have seen. A text answer that the box's own
 * validation refuses fails the test with the message the user would have read, unless the
 * script expects that refusal (`refused`).
 */
import * as assert from 'node:assert/strict';
import { StepBack, type PickItem, type StepInfo, type TextOptions, type UserInput } from '../../../src/core/userInput';

export const BACK = Symbol('back');
export const DISMISS = Symbol('dismiss');

export type Answer =
  /** Type this text and press Enter. */
  | string
  /** Pick the item with this label. */
  | { pick: string }
  /** Type this text; the box must refuse it with a message matching `refused` (then the next answer is typed). */
  | { type: string; refused: RegExp }
  | typeof BACK
  | typeof DISMISS;

export interface ShownPrompt {
  kind: 'pick' | 'text';
  title: string;
  step?: number;
  totalSteps?: number;
  back?: boolean;
  /** The text box's prompt, or the pick's placeholder. */
  prompt: string;
  /** The prefilled text, or the active item's label. */
  value?: string;
  password?: boolean;
  labels?: string[];
}

export class TestUserInput implements UserInput {
  readonly shown: ShownPrompt[] = [];
  private readonly answers: Answer[];

  constructor(answers: Answer[]) {
    this.answers = [...answers];
  }

  /** Every scripted answer was used. */
  assertDone(): void {
    assert.deepEqual(this.answers, [], 'scripted answers left unused');
  }

  private next(what: string): Answer {
    const a = this.answers.shift();
    assert.ok(a !== undefined, `no scripted answer for ${what}`);
    return a;
  }

  async pick<T>(info: StepInfo, items: PickItem<T>[], placeholder: string, active?: T): Promise<T | undefined> {
    const labels = items.map((i) => i.label);
    this.shown.push({ kind: 'pick', ...info, prompt: placeholder, value: items.find((i) => i.value === active)?.label, labels });
    const a = this.next(`the pick "${placeholder}"`);
    if (a === BACK) {
      assert.ok(info.back, `"${placeholder}" has no Back button`);
      throw new StepBack();
    }
    if (a === DISMISS) return undefined;
    assert.ok(typeof a === 'object' && 'pick' in a, `"${placeholder}" is a pick; the script typed ${String(a)}`);
    const item = items.find((i) => i.label === a.pick);
    assert.ok(item, `"${placeholder}" offers ${JSON.stringify(labels)}, not "${a.pick}"`);
    return item.value;
  }

  async text(info: StepInfo, opts: TextOptions): Promise<string | undefined> {
    this.shown.push({ kind: 'text', ...info, prompt: opts.prompt, value: opts.value, password: opts.password ?? false });
    for (;;) {
      const a = this.next(`the box "${opts.prompt}"`);
      if (a === BACK) {
        assert.ok(info.back, `"${opts.prompt}" has no Back button`);
        throw new StepBack();
      }
      if (a === DISMISS) return undefined;
      if (typeof a === 'object' && 'refused' in a) {
        const message = opts.validate?.(a.type);
        assert.ok(message, `"${opts.prompt}" accepted "${a.type}"`);
        assert.match(message, a.refused);
        continue;
      }
      assert.ok(typeof a === 'string', `"${opts.prompt}" is a text box; the script picked ${JSON.stringify(a)}`);
      const message = opts.validate?.(a);
      assert.equal(message, undefined, `"${opts.prompt}" refused "${a}": ${message}`);
      return a;
    }
  }
}
