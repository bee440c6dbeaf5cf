import * as vscode from 'vscode';
import { InsightError } from '../../core/errors';
import {
  CANVAS_ENDPOINTS,
  CanvasApiError,
  CanvasClient,
  CanvasEndpointRef,
  EnrollmentTerm,
  StudentSummarySort,
  canvasId,
  courseDescription,
} from '../../core/sources/canvas';
import { sourceOfKind } from '../commands/sourceCommands';
import { registerCommand } from '../commands/register';
import { PickItem, inputText, pickOne } from '../prompts';
import { Services } from '../services';
import { validateCanvasId } from '../../core/sources/canvas/platform';
import { CanvasAdapter, CanvasOpenTarget, CanvasOpener } from './canvasOpen';
import { CanvasCourseRef, readCanvasOptions, sortLabel } from '../../core/sources/canvas/options';
import type { CanvasItemData } from '../../core/sources/canvas/items';
import type { ResultOpener } from '../documents/resultOpener';
import { ItemNode } from '../tree/itemNode';

const ENTER_ID = '\u0000enter';

/** A Canvas item node of one of `types` with its data, or undefined. */
function canvasItem(arg: unknown, ...types: string[]): { node: ItemNode; data: CanvasItemData } | undefined {
  if (!(arg instanceof ItemNode) || arg.source.kind !== 'canvas') return undefined;
  const { type } = arg.item;
  if (!types.some((t) => type === t || (t.endsWith(':') && type.startsWith(t)))) return undefined;
  return { node: arg, data: (arg.item.data ?? {}) as CanvasItemData };
}

/**
 * Runs a lookup under a window progress; undefined (and a log line) when Canvas will not answer it.
 * `title` is the progress's (localized) text, `log` the same in English for the log line.
 */
async function optionalLookup<T>(
  services: Services,
  { title, log }: { title: string; log: string },
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_p, token) => {
    const ac = new AbortController();
    token.onCancellationRequested(() => ac.abort());
    try {
      return await fn(ac.signal);
    } catch (e) {
      // A bad token or URL is worth stopping for; a missing permission just means "type the id".
      if (e instanceof CanvasApiError && (e.reason === 'token' || e.reason === 'notFound')) throw e;
      if (ac.signal.aborted) return undefined;
      services.log.info(`${log} ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  });
}

/**
 * Asks for an account or course id and looks it up for its name. An id Canvas does not know
 * (404) brings the box back with the id and the reason, instead of an error after the fact; a
 * lookup the token may not make (403) still adds the id, named by number.
 */
async function askCanvasId(
  services: Services,
  client: CanvasClient,
  what: 'account' | 'course',
  info: { title: string; prompt: string; placeholder: string; taken: readonly string[]; known?: (id: string) => string | undefined },
): Promise<{ id: string; name?: string } | undefined> {
  let value = '';
  let problem = '';
  for (;;) {
    const v = await inputText(
      { title: info.title },
      {
        prompt: problem ? `${problem} ${info.prompt}` : info.prompt,
        placeholder: info.placeholder,
        value,
        validate: (x) =>
          validateCanvasId(x, `${what} id`) ??
          (info.taken.includes(x.trim())
            ? what === 'course'
              ? vscode.l10n.t('That course is already in the tree.')
              : vscode.l10n.t('That account is already in the tree.')
            : undefined),
      },
    );
    if (v === undefined) return undefined;
    const id = v.trim();
    const known = info.known?.(id);
    if (known) return { id, name: known };
    try {
      const path = `/api/v1/${what === 'course' ? 'courses' : 'accounts'}/${canvasId(id, `${what} id`)}`;
      const lookup = {
        title:
          what === 'course' ? vscode.l10n.t('Canvas: looking up course {0}…', id) : vscode.l10n.t('Canvas: looking up account {0}…', id),
        log: `Canvas: looking up ${what} ${id}…`,
      };
      const found = await optionalLookup(services, lookup, (signal) => client.get<{ name?: string }>(path, { signal }));
      return { id, name: found?.name };
    } catch (e) {
      if (!(e instanceof CanvasApiError && e.reason === 'notFound')) throw e;
      problem =
        what === 'course'
          ? vscode.l10n.t('Canvas has no course {0} (404): check the course id.', id)
          : vscode.l10n.t('Canvas has no account {0} (404): check the account id.', id);
      value = id;
    }
  }
}

export function registerCanvasCommands(
  services: Services,
  adapter: CanvasAdapter,
  results: ResultOpener,
): CanvasOpener {
  const opener = new CanvasOpener(results, adapter);
  const { store } = services;

  const canvasSource = (arg: unknown, title: string) => sourceOfKind(services, arg, 'canvas', title);

  const open = (target: CanvasOpenTarget) => async (arg?: unknown) => {
    const endpoint = canvasItem(arg, 'endpoint:');
    if (endpoint) {
      const source = (await canvasSource(arg, vscode.l10n.t('Open'))) ?? endpoint.node.source;
      return opener.openItem(source, endpoint.node.item, target === 'json' ? 'raw' : 'default');
    }
    // Programmatic form: { sourceId, ref, where? }.
    const a = (arg ?? {}) as { sourceId?: string; ref?: CanvasEndpointRef; where?: string };
    if (!a.ref || !CANVAS_ENDPOINTS[a.ref.id])
      throw new InsightError('usage', vscode.l10n.t('Select a Canvas item in the Insight Explorer view first.'));
    const source = await canvasSource(a, vscode.l10n.t('Open Canvas Analytics'));
    if (!source) return undefined;
    return opener.open(source, a.ref, a.where ?? CANVAS_ENDPOINTS[a.ref.id].title, target);
  };
  registerCommand(services, 'insightExplorer.canvas.open', open('default'));
  registerCommand(services, 'insightExplorer.canvas.openJson', open('json'));

  registerCommand(services, 'insightExplorer.canvas.addAccount', async (arg?: unknown) => {
    const source = await canvasSource(arg, vscode.l10n.t('Add Account'));
    if (!source) return undefined;
    const o = readCanvasOptions(source);
    const account = await askCanvasId(services, await adapter.client(source), 'account', {
      title: vscode.l10n.t('Add Account to {0}', source.label),
      prompt: vscode.l10n.t('Canvas account id (from …/accounts/123 in Canvas; “self” is your root account). Needs view_analytics on it.'),
      placeholder: '123',
      taken: o.accounts.map((a) => a.id),
    });
    if (!account) return undefined;
    const latest = readCanvasOptions(store.get(source.id) ?? source);
    latest.accounts.push({ ...account, terms: [] });
    await adapter.saveOptions(source, latest);
    return account.id;
  });

  registerCommand(services, 'insightExplorer.canvas.removeAccount', async (arg?: unknown) => {
    const account = canvasItem(arg, 'account')?.data.account;
    if (account === undefined) throw new InsightError('usage', vscode.l10n.t('Select an account in the Insight Explorer view first.'));
    const source = await canvasSource(arg, vscode.l10n.t('Remove Account'));
    if (!source) return;
    const o = readCanvasOptions(source);
    await adapter.saveOptions(source, { ...o, accounts: o.accounts.filter((a) => a.id !== account) });
  });

  registerCommand(services, 'insightExplorer.canvas.addTerm', async (arg?: unknown) => {
    // From the account's context menu, or its Term… item.
    const accountId = canvasItem(arg, 'account', 'action')?.data.account;
    if (accountId === undefined) throw new InsightError('usage', vscode.l10n.t('Use Term… under a Canvas account.'));
    const source = await canvasSource(arg, vscode.l10n.t('Add Term'));
    if (!source) return undefined;
    const o = readCanvasOptions(source);
    const account = o.accounts.find((a) => a.id === accountId);
    if (!account)
      throw new InsightError('notFound', vscode.l10n.t('Account {0} is no longer in “{1}”.', accountId, source.label), {
        next: vscode.l10n.t('Refresh the view.'),
      });
    const title = vscode.l10n.t('Term for account {0}', accountId);
    const client = await adapter.client(source);
    // Listing terms needs an admin role; without it the id is typed in.
    const terms = await optionalLookup(
      services,
      {
        title: vscode.l10n.t('Canvas: listing the terms of account {0}…', accountId),
        log: `Canvas: listing the terms of account ${accountId}…`,
      },
      (signal) => client.terms(accountId, { signal }),
    );
    let term: { id: string; name?: string } | undefined;
    const fresh = (terms ?? []).filter((t: EnrollmentTerm) => !account.terms.some((x) => x.id === String(t.id)));
    if (fresh.length > 0) {
      const items: PickItem<string>[] = [
        ...fresh.map((t) => ({
          label: t.name,
          description: `${vscode.l10n.t('term {0}', t.id)}${t.sis_term_id ? ` · ${t.sis_term_id}` : ''}`,
          detail: termDates(t),
          value: String(t.id),
        })),
        { label: vscode.l10n.t('Enter a term id…'), value: ENTER_ID },
      ];
      const picked = await pickOne({ title }, items, vscode.l10n.t('Which term?'));
      if (picked === undefined) return undefined;
      if (picked !== ENTER_ID) term = { id: picked, name: fresh.find((t) => String(t.id) === picked)?.name };
    }
    if (!term) {
      const v = await inputText(
        { title },
        {
          prompt: vscode.l10n.t('Canvas enrollment term id (a number; Admin → Terms shows them)'),
          placeholder: '7',
          validate: (x) =>
            validateCanvasId(x, 'term id') ??
            (account.terms.some((t) => t.id === x.trim()) ? vscode.l10n.t('That term is already in the tree.') : undefined),
        },
      );
      if (v === undefined) return undefined;
      term = { id: v.trim(), name: terms?.find((t) => String(t.id) === v.trim())?.name };
    }
    account.terms.push(term);
    await adapter.saveOptions(source, o);
    return term.id;
  });

  registerCommand(services, 'insightExplorer.canvas.removeTerm', async (arg?: unknown) => {
    const scope = canvasItem(arg, 'scope:term')?.data;
    if (!scope?.term) throw new InsightError('usage', vscode.l10n.t('Select a term under a Canvas account first.'));
    const source = await canvasSource(arg, vscode.l10n.t('Remove Term'));
    if (!source) return;
    const o = readCanvasOptions(source);
    const account = o.accounts.find((a) => a.id === scope.account);
    if (account) account.terms = account.terms.filter((t) => t.id !== scope.term);
    await adapter.saveOptions(source, o);
  });

  registerCommand(services, 'insightExplorer.canvas.addCourse', async (arg?: unknown) => {
    const source = await canvasSource(arg, vscode.l10n.t('Add Course'));
    if (!source) return undefined;
    const title = vscode.l10n.t('Add Course to {0}', source.label);
    const o = readCanvasOptions(source);
    const client = await adapter.client(source);
    // The token's own courses, when Canvas lists them: picking beats copying ids out of URLs.
    const courses = await optionalLookup(
      services,
      { title: vscode.l10n.t('Canvas: listing your courses…'), log: 'Canvas: listing your courses…' },
      (signal) => client.courses({ signal }),
    );
    const fresh = (courses ?? []).filter((c) => !o.courses.some((x) => x.id === String(c.id)));
    let course: CanvasCourseRef | undefined;
    if (fresh.length > 0) {
      const items: PickItem<string>[] = [
        {
          label: vscode.l10n.t('Enter a course id…'),
          description: vscode.l10n.t('a course you are not enrolled in, or by SIS id'),
          value: ENTER_ID,
        },
        // Concluded courses are listed too (past terms can be analysed), and marked so.
        ...fresh.map((c) => ({
          label: c.name ?? vscode.l10n.t('Course {0}', c.id),
          description: courseDescription(c),
          value: String(c.id),
        })),
      ];
      const picked = await pickOne({ title }, items, vscode.l10n.t('Which course?'));
      if (picked === undefined) return undefined;
      if (picked !== ENTER_ID) course = { id: picked, name: fresh.find((c) => String(c.id) === picked)?.name };
    }
    course ??= await askCanvasId(services, client, 'course', {
      title,
      prompt: vscode.l10n.t('Canvas course id (the number in …/courses/123)'),
      placeholder: '123',
      taken: o.courses.map((c) => c.id),
      known: (id) => courses?.find((c) => String(c.id) === id)?.name,
    });
    if (!course) return undefined;
    const latest = readCanvasOptions(store.get(source.id) ?? source);
    latest.courses.push(course);
    await adapter.saveOptions(source, latest);
    return course.id;
  });

  registerCommand(services, 'insightExplorer.canvas.removeCourse', async (arg?: unknown) => {
    const course = canvasItem(arg, 'course')?.data.course;
    if (course === undefined) throw new InsightError('usage', vscode.l10n.t('Select a course in the Insight Explorer view first.'));
    const source = await canvasSource(arg, vscode.l10n.t('Remove Course'));
    if (!source) return;
    const o = readCanvasOptions(source);
    await adapter.saveOptions(source, { ...o, courses: o.courses.filter((c) => c.id !== course) });
    // Its students are listed again if it comes back.
    adapter.forget(source.id);
  });

  registerCommand(services, 'insightExplorer.canvas.setSortColumn', async (arg?: unknown, sortArg?: string) => {
    const target = canvasItem(arg, 'endpoint:course.studentSummaries', 'course')?.data;
    const courseId = target?.course ?? (target?.ref && 'courseId' in target.ref ? String(target.ref.courseId) : undefined);
    if (courseId === undefined) throw new InsightError('usage', vscode.l10n.t('Select Student summaries under a Canvas course first.'));
    const source = await canvasSource(arg, vscode.l10n.t('Sort Student Summaries'));
    if (!source) return undefined;
    const o = readCanvasOptions(source);
    const course = o.courses.find((c) => c.id === courseId);
    if (!course) throw new InsightError('notFound', vscode.l10n.t('Course {0} is no longer in “{1}”.', courseId, source.label));
    const options: StudentSummarySort[] = [
      'name',
      'name_descending',
      'score_descending',
      'score_ascending',
      'participations_descending',
      'participations_ascending',
      'page_views_descending',
      'page_views_ascending',
    ];
    const sort =
      sortArg && (options as string[]).includes(sortArg)
        ? (sortArg as StudentSummarySort)
        : await pickOne(
            { title: vscode.l10n.t('Sort student summaries of {0}', course.name ?? vscode.l10n.t('course {0}', courseId)) },
            options.map((s) => ({ label: sortLabel(s), description: s, value: s })),
            vscode.l10n.t('Canvas sorts the summaries by…'),
            course.sort ?? 'name',
          );
    if (sort === undefined) return undefined;
    course.sort = sort;
    await adapter.saveOptions(source, o);
    return sort;
  });

  return opener;
}

function termDates(t: EnrollmentTerm): string | undefined {
  const d = (s: string | null | undefined) => (s ? s.slice(0, 10) : undefined);
  const from = d(t.start_at);
  const to = d(t.end_at);
  return from || to ? `${from ?? '…'} – ${to ?? '…'}` : undefined;
}
