/**
 * What a user sees of the manifest, checked on the files of the packaged extension (the .vsix's
 * `extension/` folder, or the same files from the repository): the icon the Marketplace and the
 * Extensions view show, no placeholder links, a walkthrough whose steps all resolve, command links
 * that run contributed commands, every `%key%` translated, the message bundle that `"l10n"` names
 * (l10n/bundle.l10n.json, what `vscode.l10n.t` reads) in the package, and no activation event VS
 * Code infers.
 *
 * Used by scripts/test-vsix.mjs on the built .vsix and by test/unit/packaging/manifest.test.ts.
 * Paths are relative to the extension folder, with `/`.
 */

/** The placeholder host that must never reach a user. */
export const PLACEHOLDER_HOST = 'example.invalid';
export const ICON_SIZE = 128;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Manifest = { [key: string]: any };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const NLS_KEY = /^%([^%]+)%$/;
const COMMAND_LINK = /\]\(command:([A-Za-z0-9_.-]+)/g;

/** Width and height from a PNG's IHDR chunk, or undefined when `bytes` is not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 24 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return undefined;
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** Every string in a JSON value, with its path (`contributes.commands[3].title`). */
function strings(value: Json, at: string, out: { at: string; value: string }[] = []): { at: string; value: string }[] {
  if (typeof value === 'string') out.push({ at, value });
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${at}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, at ? `${at}.${k}` : k, out);
  return out;
}

/** The manifest with each `%key%` replaced by its package.nls.json text (what VS Code shows). */
function localize(value: Json, nls: Record<string, string>): Json {
  if (typeof value === 'string') {
    const m = NLS_KEY.exec(value);
    return m && typeof nls[m[1]] === 'string' ? nls[m[1]] : value;
  }
  if (Array.isArray(value)) return value.map((v) => localize(v, nls));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, localize(v, nls)]));
  return value;
}

/** `a/b/../c.md` → `a/c.md`; a path that climbs out of the extension folder → undefined. */
function normalize(path: string): string | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

/** The media files a walkthrough step names: one image (or a light/dark/high-contrast set), a Markdown or an SVG file. */
function stepMedia(media: Manifest | undefined): string[] {
  if (!media) return [];
  const out: string[] = [];
  if (typeof media.image === 'string') out.push(media.image);
  else if (media.image && typeof media.image === 'object')
    out.push(...Object.values(media.image).filter((v): v is string => typeof v === 'string'));
  if (typeof media.markdown === 'string') out.push(media.markdown);
  if (typeof media.svg === 'string') out.push(media.svg);
  return out;
}

/**
 * Every problem of the packaged manifest, one line each naming what is wrong and where; empty
 * when the package is fine.
 */
export function manifestProblems(files: ReadonlyMap<string, Uint8Array>): string[] {
  const problems: string[] = [];
  const pkgBytes = files.get('package.json');
  if (!pkgBytes) return ['package.json is not in the package'];
  let raw: Manifest;
  try {
    raw = JSON.parse(text(pkgBytes));
  } catch (e) {
    return [`package.json is not JSON: ${(e as Error).message}`];
  }

  // 1. Every %key% resolves in package.nls.json.
  let nls: Record<string, string> = {};
  const nlsBytes = files.get('package.nls.json');
  if (nlsBytes) {
    try {
      nls = JSON.parse(text(nlsBytes));
    } catch (e) {
      problems.push(`package.nls.json is not JSON: ${(e as Error).message}`);
    }
  }
  for (const s of strings(raw, '')) {
    const m = NLS_KEY.exec(s.value);
    if (m && typeof nls[m[1]] !== 'string') {
      problems.push(`${s.at} is ${s.value}, which package.nls.json${nlsBytes ? '' : ' (not in the package)'} does not define`);
    }
  }
  const pkg = localize(raw, nls) as Manifest;
  const contributes: Manifest = pkg.contributes ?? {};

  // 2. A 128×128 PNG icon, in the package.
  if (typeof pkg.icon !== 'string') problems.push('package.json has no "icon": the Marketplace and the Extensions view show a blank tile');
  else {
    const icon = files.get(normalize(pkg.icon) ?? '');
    const size = icon && pngSize(icon);
    if (!icon) problems.push(`the icon ${pkg.icon} is not in the package`);
    else if (!size) problems.push(`the icon ${pkg.icon} is not a PNG`);
    else if (size.width !== ICON_SIZE || size.height !== ICON_SIZE) {
      problems.push(`the icon ${pkg.icon} is ${size.width}×${size.height}, not ${ICON_SIZE}×${ICON_SIZE}`);
    }
  }

  // 3. No placeholder link anywhere in what ships.
  for (const [path, bytes] of files) {
    if (text(bytes).includes(PLACEHOLDER_HOST)) problems.push(`${path} contains the placeholder host ${PLACEHOLDER_HOST} (a dead link)`);
  }
  if (![...files.keys()].some((p) => p.toLowerCase() === 'readme.md'))
    problems.push('README.md is not in the package (the welcome view opens it)');

  // 4. Command links and completion events run contributed commands (or focus a contributed view).
  const commands = new Set<string>((contributes.commands ?? []).map((c: Manifest) => c.command));
  const views = new Set<string>(Object.values(contributes.views ?? {}).flatMap((list) => (list as Manifest[]).map((v) => v.id)));
  const customEditors = new Set<string>((contributes.customEditors ?? []).map((e: Manifest) => e.viewType));
  const runnable = (id: string) => commands.has(id) || (id.endsWith('.focus') && views.has(id.slice(0, -'.focus'.length)));
  const checkLinks = (where: string, body: unknown) => {
    if (typeof body !== 'string') return;
    for (const m of body.matchAll(COMMAND_LINK))
      if (!runnable(m[1])) problems.push(`${where} links to command:${m[1]}, which the extension does not contribute`);
  };
  (contributes.viewsWelcome ?? []).forEach((w: Manifest, i: number) => checkLinks(`viewsWelcome[${i}] (${w.view})`, w.contents));

  // 5. The walkthrough: every step's media is packaged, its links and completion events resolve.
  for (const walkthrough of contributes.walkthroughs ?? []) {
    const steps: Manifest[] = walkthrough.steps ?? [];
    if (steps.length === 0) problems.push(`walkthrough ${walkthrough.id} has no steps`);
    for (const step of steps) {
      const where = `walkthrough ${walkthrough.id}, step ${step.id}`;
      checkLinks(where, step.description);
      for (const event of step.completionEvents ?? []) {
        const m = /^onCommand:(.+)$/.exec(event);
        if (m && !runnable(m[1])) problems.push(`${where} completes on ${event}, a command the extension does not contribute`);
      }
      const media = stepMedia(step.media);
      if (media.length === 0) problems.push(`${where} has no media (image, markdown or svg)`);
      for (const file of media) {
        const path = normalize(file);
        const bytes = path === undefined ? undefined : files.get(path);
        if (!bytes) {
          problems.push(`${where}: its media ${file} is not in the package`);
          continue;
        }
        if (!/\.md$/i.test(file)) continue;
        const body = text(bytes);
        checkLinks(`${where} (${file})`, body);
        // Images and links relative to the Markdown file must ship too.
        for (const link of body.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
          const target = link[1];
          if (/^([a-z][a-z0-9+.-]*:|#)/i.test(target)) continue;
          const resolved = normalize(dirname(path!) + target.split('#')[0]);
          if (resolved === undefined || !files.has(resolved))
            problems.push(`${where} (${file}) links to ${target}, which is not in the package`);
        }
      }
    }
  }

  // 6. No activation event that VS Code (≥ 1.74) generates from the contributions itself.
  for (const event of (pkg.activationEvents ?? []) as string[]) {
    const [kind, id] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
    const inferred =
      (kind === 'onCommand' && commands.has(id)) ||
      (kind === 'onView' && views.has(id)) ||
      (kind === 'onCustomEditor' && customEditors.has(id));
    if (inferred) problems.push(`activationEvents lists ${event}, which VS Code infers from contributes since 1.74: remove it`);
  }

  // 7. The extension's own messages: the folder "l10n" names holds bundle.l10n.json, a JSON object
  // whose every message is a string (or `{ message, comment }`, as @vscode/l10n-dev writes them).
  if (raw.l10n === undefined) problems.push('package.json has no "l10n": vscode.l10n.t finds no message bundle to translate');
  else {
    const dir = typeof raw.l10n === 'string' ? normalize(raw.l10n) : undefined;
    const name = dir === undefined ? undefined : dir ? `${dir}/bundle.l10n.json` : 'bundle.l10n.json';
    const bundle = name === undefined ? undefined : files.get(name);
    if (name === undefined) problems.push(`package.json "l10n" is ${JSON.stringify(raw.l10n)}, not a folder of the extension`);
    else if (!bundle) problems.push(`${name} (the folder package.json "l10n" names) is not in the package`);
    else {
      let messages: unknown;
      try {
        messages = JSON.parse(text(bundle));
      } catch (e) {
        problems.push(`${name} is not JSON: ${(e as Error).message}`);
      }
      if (messages !== undefined && (typeof messages !== 'object' || messages === null || Array.isArray(messages)))
        problems.push(`${name} is not a JSON object of messages`);
      else if (messages !== undefined) {
        for (const [key, value] of Object.entries(messages as Record<string, unknown>)) {
          const ok = typeof value === 'string' || (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string');
          if (!ok) problems.push(`${name}: the message ${JSON.stringify(key)} is ${JSON.stringify(value)}, not a string`);
        }
      }
    }
  }
  return problems;
}
