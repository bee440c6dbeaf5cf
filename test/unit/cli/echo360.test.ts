/**
 * `insights echo360 …` end to end: the real CLI bundle spawned as a process against the fake.
 * The bundle is built here with esbuild from src/cli.ts, the same entry as `dist/cli.js`; while
 * another platform's command module is still missing from the tree, only that import is stubbed.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Echo360Fake, startEcho360Fake } from '../../fakes/echo360';
import { daysAgo, filesIn, tempDir } from '../../fakes/echo360TestKit';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ROOT = path.resolve(__dirname, '../../../..');

async function buildCli(outDir: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const outfile = path.join(outDir, 'cli.js');
  const options = {
    entryPoints: [path.join(ROOT, 'src/cli.ts')],
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: 'node20',
    outfile,
    logLevel: 'silent' as const,
  };
  try {
    await esbuild.build(options);
  } catch {
    const stubMissing = {
      name: 'stub-missing-modules',
      setup(b: import('esbuild').PluginBuild) {
        b.onResolve({ filter: /^\./ }, async (args) => {
          if ((args.pluginData as { probing?: boolean } | undefined)?.probing) return undefined;
          const r = await b.resolve(args.path, {
            resolveDir: args.resolveDir,
            kind: args.kind,
            importer: args.importer,
            pluginData: { probing: true },
          });
          return r.errors.length ? { path: args.path, namespace: 'missing' } : r;
        });
        b.onLoad({ filter: /.*/, namespace: 'missing' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
      },
    };
    await esbuild.build({ ...options, plugins: [stubMissing] });
  }
  return outfile;
}

describe('insights echo360 (CLI, end to end)', function () {
  this.timeout(60_000);
  let fake: Echo360Fake;
  let cli: string;
  let dir: string;
  const outputs: string[] = [];

  before(async () => {
    dir = tempDir();
    cli = await buildCli(dir);
    fake = await startEcho360Fake({ pendingMs: 300, rowsPerDay: 20 });
  });
  afterEach(() => fake.reset());
  after(async () => {
    await fake.close();
    // No secret reached any output: the client secret, the tokens the fake issued, the link signatures.
    const secrets = [fake.clientSecret];
    for (const out of outputs) for (const s of secrets) assert.ok(!out.includes(s), 'the client secret was printed');
  });

  function insights(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, 'echo360', ...args], {
        env: { ...process.env, ECHO360_CLIENT_ID: fake.clientId, ECHO360_CLIENT_SECRET: fake.clientSecret, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        outputs.push(stdout, stderr);
        resolve({ code, stdout, stderr });
      });
    });
  }

  function noTokensIn(r: Result): void {
    for (const req of fake.requests) {
      const token = req.authorization?.replace(/^Bearer\s+/, '');
      if (token) assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token), 'an access token was printed');
      const sig = /Signature=([^&]+)/.exec(req.rawUrl)?.[1];
      if (sig) assert.ok(!r.stderr.includes(sig), 'a link signature was printed');
    }
  }

  it('reports: one name<TAB>description line per report, exit 0', async () => {
    const r = await insights(['reports', '--base-url', fake.url]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 8);
    assert.equal(lines[0], 'videoview\tOne row per 30 seconds of video watched, per viewer.');
  });

  it('run: merges 20 days (3 requests) into one CSV at --out, progress on stderr, then requests lists them', async () => {
    const out = path.join(dir, 'term.csv');
    const r = await insights([
      'run',
      '--base-url',
      fake.url,
      '--report',
      'videoview',
      '--start',
      daysAgo(21),
      '--end',
      daysAgo(1),
      '--poll-interval',
      '0.2',
      '--out',
      out,
      '--verbose',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines.filter((l) => l.startsWith('institution_id,')).length, 1, 'one header');
    assert.equal(lines.length, 1 + 20 * 20);
    assert.match(r.stderr, /echo360: videoview \S+ \(end exclusive\) as 3 request\(s\)/);
    assert.match(r.stderr, /echo360: chunk 3\/3 \S+ Available \(request /);
    assert.match(r.stderr, /echo360: wrote 400 rows/);
    assert.equal(fake.stats.submits, 3);
    assert.ok(fake.stats.maxInFlight <= 3);
    noTokensIn(r);

    const list = await insights(['requests', '--base-url', fake.url]);
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    assert.equal(rows.length, 3);
    assert.ok(rows.every((f) => f.length === 4 && f[1] === 'Available' && f[2] === 'videoview' && !Number.isNaN(Date.parse(f[3]))));
  });

  it('run --report asset: one request with no dates, no range needed; dates given are refused (exit 2)', async () => {
    const out = path.join(dir, 'asset.csv');
    const r = await insights(['run', '--base-url', fake.url, '--report', 'asset', '--poll-interval', '0.2', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const posts = fake.requests.filter((q) => q.method === 'POST' && q.path.includes('/reporting/requests/'));
    assert.equal(posts.length, 1, 'one request');
    assert.deepEqual((posts[0].body as { parameters: unknown }).parameters, {}, 'no start/end sent');
    assert.match(r.stderr, /echo360: asset \(all time, no date range\) as 1 request/);
    assert.doesNotMatch(r.stderr, /may still be incomplete/);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines.filter((l) => l.startsWith('institution_id,')).length, 1, 'one header');
    assert.ok(lines.length > 1);

    fake.reset();
    for (const extra of [
      ['--start', daysAgo(8), '--end', daysAgo(1)],
      ['--range', 'last 7 days'],
    ]) {
      const bad = await insights(['run', '--base-url', fake.url, '--report', 'asset', ...extra, '--out', path.join(dir, 'bad.csv')]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /asset takes no date range/);
      assert.equal(bad.stderr.trimEnd().split('\n').length, 1, 'one line');
    }
    assert.equal(fake.stats.submits, 0);
    assert.ok(!filesIn(dir).includes('bad.csv'));
  });

  it('run refuses a report whose listing names a parameter it cannot fill in, naming it (nothing guessed, nothing sent)', async () => {
    const other = await startEcho360Fake({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      extraListing: [
        {
          name: 'sectionroster',
          description: 'Roster of a section.',
          parameters: [{ name: 'sectionId', datatype: 'string', required: true }],
        },
      ],
    });
    try {
      const r = await insights(['run', '--base-url', other.url, '--report', 'sectionroster', '--out', path.join(dir, 'roster.csv')]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /sectionroster needs parameters this tool cannot fill in: sectionId \(string, required\)/);
      assert.equal(other.stats.submits, 0);
    } finally {
      await other.close();
    }
  });

  it('run warns on stderr when the range ends within the last 48 hours; an older videoview range is not refused', async () => {
    const fresh = await insights([
      'run',
      '--base-url',
      fake.url,
      '--report',
      'videoview',
      '--range',
      'last 3 days',
      '--poll-interval',
      '0.2',
      '--out',
      path.join(dir, 'fresh.csv'),
    ]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.match(fresh.stderr, /warning: the last 2 days may still be incomplete/);
    const complete = await insights([
      'run',
      '--base-url',
      fake.url,
      '--report',
      'videoview',
      '--range',
      'last 2 complete days',
      '--poll-interval',
      '0.2',
      '--out',
      path.join(dir, 'complete.csv'),
    ]);
    assert.equal(complete.code, 0, complete.stderr);
    assert.doesNotMatch(complete.stderr, /incomplete/);
    const old = await insights([
      'run',
      '--base-url',
      fake.url,
      '--report',
      'videoview',
      '--start',
      daysAgo(400),
      '--end',
      daysAgo(398),
      '--poll-interval',
      '0.2',
      '--out',
      path.join(dir, 'old.csv'),
    ]);
    assert.equal(old.code, 0, old.stderr);
  });

  it('writes a tab-separated file with --delimiter \\t', async () => {
    const out = path.join(dir, 'notes.tsv');
    const r = await insights([
      'run',
      '--base-url',
      fake.url,
      '--report',
      'notes',
      '--range',
      `${daysAgo(3)}..${daysAgo(1)}`,
      '--delimiter',
      '\\t',
      '--poll-interval',
      '0.2',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(fs.readFileSync(out, 'utf8').split('\n')[0], /^institution_id\tuser_id\t/);
  });

  it('exit 2 for bad input, before any request', async () => {
    const cases: [string[], RegExp][] = [
      [
        [
          'run',
          '--base-url',
          fake.url,
          '--report',
          'videoview',
          '--start',
          daysAgo(2),
          '--end',
          daysAgo(9),
          '--out',
          path.join(dir, 'x.csv'),
        ],
        /The range is reversed: start \S+ is after end \S+\. Swap them\./,
      ],
      [
        [
          'run',
          '--base-url',
          fake.url,
          '--report',
          'videoview',
          '--start',
          '2024-02-30',
          '--end',
          daysAgo(1),
          '--out',
          path.join(dir, 'x.csv'),
        ],
        /Invalid start date "2024-02-30"/,
      ],
      [
        [
          'run',
          '--base-url',
          fake.url,
          '--report',
          'assetbydate',
          '--start',
          daysAgo(400),
          '--end',
          daysAgo(395),
          '--out',
          path.join(dir, 'x.csv'),
        ],
        /more than one year ago/,
      ],
      [
        ['run', '--base-url', fake.url, '--report', 'videoview', '--delimiter', ';', '--out', path.join(dir, 'x.csv')],
        /--delimiter must be/,
      ],
      [['run', '--base-url', fake.url, '--report', 'videoview'], /Missing required option --out/],
      [
        ['run', '--base-url', fake.url, '--report', 'videoview', '--out', path.join(dir, 'no-such-folder', 'x.csv')],
        /Cannot write --out .*no-such-folder/,
      ],
      [['run', '--base-url', 'http://echo360.example.edu', '--report', 'videoview', '--out', path.join(dir, 'x.csv')], /must use https/],
      [['reports', '--base-url', fake.url, '--client-secret', 'x'], /Unknown option --client-secret/],
    ];
    for (const [args, message] of cases) {
      const r = await insights(args);
      assert.equal(r.code, 2, `${args.join(' ')}\n${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, 'one line');
    }
    assert.equal(fake.requests.length, 0);
    assert.ok(!filesIn(dir).includes('x.csv'));
  });

  it('exit 3 when Echo360 refuses the client id/secret, or none is set', async () => {
    const r = await insights(['reports', '--base-url', fake.url], { ECHO360_CLIENT_SECRET: 'wrong-secret-value' });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^insights: Echo360 refused the client id\/secret \(HTTP 401: Client authentication failed\)\. Set Credentials/);
    assert.ok(!r.stderr.includes('wrong-secret-value'));
    const none = await insights(['requests', '--base-url', fake.url], { ECHO360_CLIENT_SECRET: '' });
    assert.equal(none.code, 3);
    assert.match(none.stderr, /ECHO360_CLIENT_SECRET is not set/);
  });

  it('exit 5 when a request ends Failed, naming it; no --out file is left', async () => {
    const res = await fetch(`${fake.url}/__control/faults`, {
      method: 'POST',
      body: JSON.stringify({ endStatus: 'Failed', pathIncludes: '/requests/videoview' }),
    });
    assert.equal(res.status, 201);
    const out = path.join(dir, 'failed.csv');
    const r = await insights([
      'run',
      '--base-url',
      fake.url,
      '--report',
      'videoview',
      '--range',
      'last 7 days',
      '--poll-interval',
      '0.2',
      '--out',
      out,
    ]);
    assert.equal(r.code, 5);
    const ids = Object.keys(fake.statuses());
    assert.match(
      r.stderr,
      new RegExp(`insights: Echo360 request ${ids[0]} \\(videoview \\S+\\) ended Failed\\. Run the command again to resubmit it\\.`),
    );
    assert.ok(!fs.existsSync(out));
    assert.ok(!filesIn(dir).some((f) => f.includes('failed.csv')), 'no temp file either');
  });

  it('exit 5 on --timeout, naming the requests still pending', async () => {
    const slow = await startEcho360Fake({ pendingMs: 60_000, clientId: fake.clientId, clientSecret: fake.clientSecret });
    try {
      const r = await insights([
        'run',
        '--base-url',
        slow.url,
        '--report',
        'assetbydate',
        '--range',
        'last 7 days',
        '--poll-interval',
        '0.2',
        '--timeout',
        '1',
        '--out',
        path.join(dir, 'slow.csv'),
      ]);
      assert.equal(r.code, 5);
      assert.match(r.stderr, /Gave up after 1 s \(--timeout\); still Pending on Echo360: \S+\. Raise --timeout/);
    } finally {
      await slow.close();
    }
  });
});
