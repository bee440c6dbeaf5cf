// The manifest checks of the packaging test (test/packaging/manifest.ts), run on the repository's
// own files — what `npm run package` puts in the .vsix: package.json, package.nls.json, the README,
// media/ and l10n/ — and on copies broken one way each, to show that each check catches its fault.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ICON_SIZE, manifestProblems, pngSize } from '../../packaging/manifest';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function packagedFiles(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const f of ['package.json', 'package.nls.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    if (fs.existsSync(path.join(ROOT, f))) files.set(f, fs.readFileSync(path.join(ROOT, f)));
  }
  for (const dir of ['media', 'l10n']) {
    for (const f of fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[]) {
      const full = path.join(ROOT, dir, f);
      if (fs.statSync(full).isFile()) files.set(`${dir}/${f.split(path.sep).join('/')}`, fs.readFileSync(full));
    }
  }
  return files;
}

const json = (files: Map<string, Uint8Array>, name: string) => JSON.parse(Buffer.from(files.get(name)!).toString('utf8'));
const setJson = (files: Map<string, Uint8Array>, name: string, value: unknown) =>
  files.set(name, Buffer.from(JSON.stringify(value, null, 2)));

/** The repository's files with one change; resolves to the checker's problems. */
function problemsAfter(change: (files: Map<string, Uint8Array>) => void): string[] {
  const files = packagedFiles();
  change(files);
  return manifestProblems(files);
}

function assertProblem(problems: string[], pattern: RegExp): void {
  assert.ok(
    problems.some((p) => pattern.test(p)),
    `expected a problem matching ${pattern}, got:\n${problems.join('\n') || '(none)'}`,
  );
}

describe('packaging: the manifest users install', () => {
  it('passes every check as it is in the repository', () => {
    assert.deepStrictEqual(manifestProblems(packagedFiles()), []);
  });

  it('has a 128×128 PNG icon', () => {
    const files = packagedFiles();
    const icon = json(files, 'package.json').icon as string;
    assert.deepStrictEqual(pngSize(files.get(icon)!), { width: ICON_SIZE, height: ICON_SIZE });
  });

  it('fails without an icon, with an icon missing from the package, of the wrong size or not a PNG', () => {
    assertProblem(
      problemsAfter((f) => {
        const pkg = json(f, 'package.json');
        delete pkg.icon;
        setJson(f, 'package.json', pkg);
      }),
      /no "icon"/,
    );
    assertProblem(
      problemsAfter((f) => f.delete('media/icon.png')),
      /icon media\/icon\.png is not in the package/,
    );
    assertProblem(
      problemsAfter((f) => {
        const png = Buffer.from(f.get('media/icon.png')!);
        png.writeUInt32BE(64, 16); // IHDR width
        png.writeUInt32BE(64, 20); // IHDR height
        f.set('media/icon.png', png);
      }),
      /is 64×64, not 128×128/,
    );
    assertProblem(
      problemsAfter((f) => f.set('media/icon.png', f.get('media/icon.svg')!)),
      /is not a PNG/,
    );
  });

  it('fails when the placeholder host is in package.json or the README', () => {
    assertProblem(
      problemsAfter((f) => {
        const pkg = json(f, 'package.json');
        pkg.repository = { type: 'git', url: 'https://example.invalid/insight-explorer.git' };
        setJson(f, 'package.json', pkg);
      }),
      /package\.json contains the placeholder host example\.invalid/,
    );
    assertProblem(
      problemsAfter((f) =>
        f.set('README.md', Buffer.from(`${Buffer.from(f.get('README.md')!).toString()}\n[docs](https://example.invalid/docs)\n`)),
      ),
      /README\.md contains the placeholder host/,
    );
  });

  it('fails when a walkthrough step’s media is not packaged, or its Markdown links to a missing file', () => {
    const step = json(packagedFiles(), 'package.json').contributes.walkthroughs[0].steps[2];
    assertProblem(
      problemsAfter((f) => f.delete(step.media.markdown)),
      new RegExp(`step ${step.id}: its media ${step.media.markdown.replace(/\./g, '\\.')} is not in the package`),
    );
    assertProblem(
      problemsAfter((f) => f.set(step.media.markdown, Buffer.from('# Step\n\n![the view](images/missing.png)\n'))),
      /links to images\/missing\.png, which is not in the package/,
    );
  });

  it('fails when a step, its completion event or the welcome view names a command that is not contributed', () => {
    assertProblem(
      problemsAfter((f) => {
        const pkg = json(f, 'package.json');
        pkg.contributes.walkthroughs[0].steps[0].completionEvents = ['onCommand:insightExplorer.noSuchCommand'];
        setJson(f, 'package.json', pkg);
      }),
      /completes on onCommand:insightExplorer\.noSuchCommand/,
    );
    assertProblem(
      problemsAfter((f) => {
        const nls = json(f, 'package.nls.json');
        const key = Object.keys(nls).find((k) => k.startsWith('viewsWelcome.'))!;
        nls[key] += '\n[Broken](command:insightExplorer.noSuchCommand)';
        setJson(f, 'package.nls.json', nls);
      }),
      /viewsWelcome\[0\] \(insightExplorer\.sources\) links to command:insightExplorer\.noSuchCommand/,
    );
    assertProblem(
      problemsAfter((f) => {
        const nls = json(f, 'package.nls.json');
        const key = Object.keys(nls).find((k) => /^walkthrough\..*\.description$/.test(k) && /command:/.test(nls[k]))!;
        nls[key] = nls[key].replace(/command:[A-Za-z0-9_.-]+/, 'command:insightExplorer.noSuchCommand');
        setJson(f, 'package.nls.json', nls);
      }),
      /step \w+ links to command:insightExplorer\.noSuchCommand/,
    );
  });

  it('fails when a %key% of package.json is missing from package.nls.json', () => {
    assertProblem(
      problemsAfter((f) => {
        const nls = json(f, 'package.nls.json');
        delete nls['command.addSource.title'];
        setJson(f, 'package.nls.json', nls);
      }),
      /contributes\.commands\[\d+\]\.title is %command\.addSource\.title%, which package\.nls\.json does not define/,
    );
    assertProblem(
      problemsAfter((f) => f.delete('package.nls.json')),
      /package\.nls\.json \(not in the package\) does not define/,
    );
  });

  it('fails on an activation event VS Code infers from the contributions', () => {
    assertProblem(
      problemsAfter((f) => {
        const pkg = json(f, 'package.json');
        pkg.activationEvents.push('onCommand:insightExplorer.addSource', 'onView:insightExplorer.sources');
        setJson(f, 'package.json', pkg);
      }),
      /onCommand:insightExplorer\.addSource, which VS Code infers/,
    );
    // What it cannot infer stays: the preview serializer and the result documents' scheme.
    const events = json(packagedFiles(), 'package.json').activationEvents as string[];
    assert.deepStrictEqual([...events].sort(), ['onFileSystem:insight-explorer', 'onWebviewPanel:insightExplorer.preview']);
  });

  it('ships l10n/bundle.l10n.json, the folder package.json "l10n" names, with a string for every message', () => {
    const files = packagedFiles();
    assert.strictEqual(json(files, 'package.json').l10n, './l10n');
    const bundle = json(files, 'l10n/bundle.l10n.json') as Record<string, unknown>;
    assert.ok(Object.keys(bundle).length > 0);
    for (const [key, value] of Object.entries(bundle)) assert.strictEqual(typeof value, 'string', key);
  });

  it('fails when the l10n bundle is not packaged, "l10n" is missing, or a message is not a string', () => {
    assertProblem(
      problemsAfter((f) => f.delete('l10n/bundle.l10n.json')),
      /l10n\/bundle\.l10n\.json \(the folder package\.json "l10n" names\) is not in the package/,
    );
    assertProblem(
      problemsAfter((f) => {
        const pkg = json(f, 'package.json');
        delete pkg.l10n;
        setJson(f, 'package.json', pkg);
      }),
      /package\.json has no "l10n"/,
    );
    assertProblem(
      problemsAfter((f) => {
        const bundle = json(f, 'l10n/bundle.l10n.json');
        bundle['{0} rows'] = 3;
        setJson(f, 'l10n/bundle.l10n.json', bundle);
      }),
      /l10n\/bundle\.l10n\.json: the message "\{0\} rows" is 3, not a string/,
    );
  });
});
