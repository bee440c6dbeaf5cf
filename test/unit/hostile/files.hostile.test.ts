/**
 * Hostile cases for everything that writes a file (CLI --out, the preview's export, the result
 * store's files, Echo360's merged result). Each `it` states the guarantee it checks. Real files,
 * real devices (/dev/full, a character device, a FIFO), a real full disk (a 64 KB tmpfs when the
 * test may mount one), the real CLI bundle against the fakes over 127.0.0.1.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliBundle } from '../../fakes/canvasCli';
import { StudioFake, startStudioFake } from '../../fakes/studio';
import { Echo360Fake, startEcho360Fake } from '../../fakes/echo360';
import { daysAgo } from '../../fakes/echo360TestKit';
import { AtomicFile, openExclusive, writeFileAtomic } from '../../../src/core/atomicFile';
import { describeSystemError, oneLine } from '../../../src/core/errors';
import { ResultFileWriter } from '../../../src/core/sources/echo360/resultFile';
import { resultFilePath } from '../../../src/core/resultPath';
import { writeExport } from '../../../src/core/preview/exportFile';
import { previewHtml } from '../../../src/core/preview/html';
import { extraFiles, isRoot, runMeasured } from './filesKit';
import { skipBecause } from '../../skip';

const P1 = '3f1c2a9e-8b7d-4c21-9f4e-2d6a1b0c7e55';

async function* chunksOf(text: string, size = 1000): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const mode = (f: string) => fs.statSync(f).mode & 0o777;

/** A device that answers every write with ENOSPC: a private one in `dir` as root, else /dev/full. */
function fullDevice(dir: string): string {
  if (!isRoot()) return '/dev/full';
  const dev = path.join(dir, 'full');
  if (!fs.existsSync(dev)) execFileSync('mknod', [dev, 'c', '1', '7']);
  return dev;
}

describe('hostile: writing files', function () {
  this.timeout(120_000);
  let studio: StudioFake;
  let dir: string;
  const studioCli = (args: string[]) => runMeasured(['studio', args[0], '--base-url', studio.url, ...args.slice(1)], { STUDIO_TOKEN: studio.token });

  before(async () => {
    await cliBundle();
    studio = await startStudioFake();
  });
  after(async () => {
    await studio.close();
  });
  beforeEach(() => {
    studio.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-files-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a write onto a full device (/dev/full) exits 5 with "no space left on device (ENOSPC) writing FILE", leaves no temp file', async () => {
    // As root, a private full device (1,7) in the temp folder: code that renames over its target
    // would otherwise replace the system's /dev/full. Without root, /dev/full itself is safe.
    const dev = fullDevice(dir);
    const devDir = path.dirname(dev);
    const before = fs.readdirSync(devDir);
    const r = await studioCli(['overview', '--perspective', P1, '--out', dev]);
    assert.equal(r.code, 5, r.stderr);
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
    assert.ok(r.stderr.startsWith(`insights: no space left on device (ENOSPC) writing ${dev}. `), r.stderr);
    assert.deepEqual(fs.readdirSync(devDir).filter((f) => !before.includes(f)), [], 'no temp file beside it');
    assert.ok(fs.statSync(dev).isCharacterDevice());
  });

  it('a full disk (64 KB tmpfs) exits 5 in words; no temp file and no FILE are left, an existing FILE keeps its bytes', async function () {
    const mnt = path.join(dir, 'small');
    fs.mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      // Mounting needs root (CAP_SYS_ADMIN); /dev/full above covers the same write path without it.
      skipBecause(this, 'mounting a 64 KB tmpfs needs root (CAP_SYS_ADMIN)', { missingTool: true });
    }
    try {
      fs.writeFileSync(path.join(mnt, 'old.csv'), 'kept\n');
      // Fill the disk: the next write of any size fails with ENOSPC.
      const fd = fs.openSync(path.join(mnt, 'filler'), 'w');
      try {
        for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1));
      } catch (e) {
        assert.equal((e as { code?: string }).code, 'ENOSPC');
      } finally {
        fs.closeSync(fd);
      }
      for (const name of ['new.csv', 'old.csv']) {
        const r = await studioCli(['overview', '--perspective', P1, '--out', path.join(mnt, name)]);
        assert.equal(r.code, 5, r.stderr);
        assert.match(r.stderr, new RegExp(`no space left on device \\(ENOSPC\\) writing ${path.join(mnt, name).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
        assert.deepEqual(fs.readdirSync(mnt).sort(), ['filler', 'old.csv'], 'no temp file, no new FILE');
      }
      assert.equal(fs.readFileSync(path.join(mnt, 'old.csv'), 'utf8'), 'kept\n');
    } finally {
      execFileSync('umount', [mnt], { stdio: 'ignore' });
    }
  });

  it('--out onto an existing character device writes into it and it stays a character device', async () => {
    // As root, a private null device in the temp folder (the system's /dev/null is never put at risk).
    let dev = '/dev/null';
    if (isRoot()) {
      dev = path.join(dir, 'null');
      execFileSync('mknod', [dev, 'c', '1', '3']);
    }
    const r = await studioCli(['overview', '--perspective', P1, '--out', dev]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.statSync(dev).isCharacterDevice(), `${dev} is still a character device`);
    if (dev !== '/dev/null') assert.deepEqual(extraFiles(dir, ['null']), [], 'no temp file beside it');
  });

  it('--out onto a FIFO writes the CSV into the pipe, byte for byte, and the FIFO stays a FIFO', async () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const got: Buffer[] = [];
    const reading = new Promise<void>((resolve, reject) =>
      fs
        .createReadStream(fifo)
        .on('data', (c) => got.push(c as Buffer))
        .on('end', resolve)
        .on('error', reject),
    );
    const r = await studioCli(['overview', '--perspective', P1, '--out', fifo]);
    // Had the command never opened the pipe, the reader would wait forever: open and close a
    // writer end so it sees EOF either way (ENXIO: the reader is already gone).
    try {
      fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    } catch {
      /* reader finished */
    }
    await reading;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Buffer.concat(got).equals(studio.csv('overview', P1)));
    assert.ok(fs.statSync(fifo).isFIFO());
    assert.deepEqual(extraFiles(dir, ['pipe']), []);
  });

  describe('--out DIR (a folder) is refused with exit 2 before any request, on every command that takes --out', () => {
    let echo: Echo360Fake;
    before(async () => {
      echo = await startEcho360Fake({ pendingMs: 100 });
    });
    after(async () => echo.close());

    const commands = (url: string): string[][] => [
      ['posthog', 'list', '--base-url', url, '--project', '1'],
      ['posthog', 'get', '--base-url', url, '--project', '1', '--insight', '7'],
      ['posthog', 'trending', '--base-url', url, '--project', '1'],
      ['posthog', 'activity', '--base-url', url, '--project', '1'],
      ['canvas', 'get', '--base-url', url, '--path', '/api/v1/courses'],
      ['studio', 'overview', '--base-url', url, '--perspective', P1],
      ['studio', 'users', '--base-url', url, '--perspective', P1],
    ];
    const env = { POSTHOG_API_KEY: 'phx_test', CANVAS_TOKEN: 'canvas-test', STUDIO_TOKEN: 'studio-test' };

    it('posthog, canvas and studio commands: exit 2 naming the folder; the server saw no request', async () => {
      // Every command points at one recording server: any request at all would show up there.
      for (const args of commands(studio.url)) {
        const r = await runMeasured([...args, '--out', dir], env);
        assert.equal(r.code, 2, `${args.slice(0, 2).join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /^insights: --out \S+ is a folder, not a file\. Give a file name/);
        const missing = await runMeasured([...args, '--out', path.join(dir, 'no-such-folder', 'x.csv')], env);
        assert.equal(missing.code, 2, missing.stderr);
        assert.match(missing.stderr, /its folder does not exist or is not writable/);
      }
      assert.equal(studio.requests.length, 0, 'no request was made');
    });

    it('echo360 reports, requests and run: exit 2; Echo360 saw no request (not even a token)', async () => {
      const base = ['--base-url', echo.url];
      const env360 = { ECHO360_CLIENT_ID: echo.clientId, ECHO360_CLIENT_SECRET: echo.clientSecret };
      for (const args of [
        ['echo360', 'reports', ...base],
        ['echo360', 'requests', ...base],
        ['echo360', 'run', ...base, '--report', 'videoview', '--start', daysAgo(3), '--end', daysAgo(1)],
      ]) {
        const r = await runMeasured([...args, '--out', dir], env360);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /is a folder, not a file/);
      }
      assert.equal(echo.requests.length, 0);
    });
  });

  it('a new --out file is created 0600; an existing one keeps its mode (0640) and gets the new bytes', async () => {
    const fresh = path.join(dir, 'fresh.csv');
    const r = await studioCli(['overview', '--perspective', P1, '--out', fresh]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(mode(fresh), 0o600);
    const old = path.join(dir, 'old.csv');
    fs.writeFileSync(old, 'old\n');
    fs.chmodSync(old, 0o640);
    const again = await studioCli(['overview', '--perspective', P1, '--out', old]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(mode(old), 0o640);
    assert.ok(fs.readFileSync(old).equals(studio.csv('overview', P1)));
  });

  it('the preview export and the result store: new files 0600, existing files keep their mode', async () => {
    const exp = path.join(dir, 'export.csv');
    await writeExport(chunksOf('a,b\r\n1,2\r\n'), exp);
    assert.equal(mode(exp), 0o600);
    fs.chmodSync(exp, 0o644);
    await writeExport(chunksOf('a,b\r\n3,4\r\n'), exp);
    assert.equal(mode(exp), 0o644);
    assert.equal(fs.readFileSync(exp, 'utf8'), 'a,b\r\n3,4\r\n');

    const stored = resultFilePath(dir, 'src-1', 'posthog-42', 'csv');
    fs.mkdirSync(path.dirname(stored), { recursive: true });
    await writeFileAtomic(stored, ['x,y\n']);
    assert.equal(mode(stored), 0o600);
  });

  it('the Echo360 merged result: new file 0600, an existing one keeps its mode; a device target stays a device', async () => {
    const file = path.join(dir, 'merged.csv');
    const w = await ResultFileWriter.create(file);
    await w.write(Buffer.from('h\n1\n'));
    await w.commit();
    assert.equal(mode(file), 0o600);
    fs.chmodSync(file, 0o604);
    const w2 = await ResultFileWriter.create(file);
    await w2.write(Buffer.from('h\n2\n'));
    await w2.commit();
    assert.equal(mode(file), 0o604);
    assert.equal(fs.readFileSync(file, 'utf8'), 'h\n2\n');
    if (isRoot()) {
      const dev = path.join(dir, 'null');
      execFileSync('mknod', [dev, 'c', '1', '3']);
      const w3 = await ResultFileWriter.create(dev);
      await w3.write(Buffer.from('h\n3\n'));
      await w3.truncate(2); // a broken download rolled back: needs a seekable spool, not the device
      await w3.commit();
      assert.ok(fs.statSync(dev).isCharacterDevice());
      assert.deepEqual(extraFiles(dir, ['merged.csv', 'null']), []);
    }
  });

  it('temp files get unpredictable names: a symlink planted at every name the old scheme (pid + time) could use is never followed', async () => {
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'untouched');
    const target = path.join(dir, 'out.csv');
    const t0 = Date.now();
    // The old export wrote to `.out.csv.<pid>.<Date.now()>.part` opened without O_EXCL.
    for (let t = t0; t < t0 + 1500; t++) fs.symlinkSync(victim, path.join(dir, `.out.csv.${process.pid}.${t}.part`));
    const seen = new Set<string>();
    await writeExport(chunksOf('a\r\n'.repeat(2000), 100), target, {
      onProgress: () => fs.readdirSync(dir).forEach((f) => f.endsWith('.tmp') && seen.add(f)),
    });
    assert.equal(fs.readFileSync(victim, 'utf8'), 'untouched');
    assert.equal(fs.readFileSync(target, 'utf8'), 'a\r\n'.repeat(2000));
    assert.equal(seen.size, 1, 'the temp file was seen while writing');
    const [name] = [...seen];
    assert.match(name, /^\.out\.csv\.[0-9a-f]{16}\.tmp$/, '64 random bits, no pid or time');
    assert.ok(!name.includes(String(process.pid)));
  });

  it('temp files are opened exclusively: a symlink already at the chosen name is refused (EEXIST), its target untouched', async () => {
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'untouched');
    const planted = path.join(dir, '.x.tmp');
    fs.symlinkSync(victim, planted);
    await assert.rejects(openExclusive(planted), /a file of that name appeared while writing \(EEXIST\)/);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'untouched');
    // And the writer's own temp is new each time (never the planted one).
    const f = await AtomicFile.open(path.join(dir, 'x'));
    assert.notEqual(f.tempFile, planted);
    await f.abort();
    assert.deepEqual(extraFiles(dir, ['victim.txt', '.x.tmp']), []);
  });

  it('ENOSPC, EISDIR, EACCES and RangeError("Invalid string length") read as words with a next step', () => {
    let enospc: unknown;
    const full = fullDevice(dir);
    assert.ok(fs.statSync(full).isCharacterDevice());
    try {
      fs.writeFileSync(full, 'x');
    } catch (e) {
      enospc = e;
    }
    assert.equal(oneLine(enospc), 'no space left on device (ENOSPC). Free some disk space or write to another disk, then run it again.');
    let eisdir: unknown;
    try {
      fs.writeFileSync(dir, 'x');
    } catch (e) {
      eisdir = e;
    }
    assert.match(oneLine(eisdir), /^it is a folder, not a file \(EISDIR\): \S+\. Give a file name/);
    // Root is never refused by permissions, so EACCES is the error object the OS would give.
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/srv/r.csv'"), { code: 'EACCES', path: '/srv/r.csv' });
    assert.equal(describeSystemError(eacces, 'writing', '/srv/r.csv')?.message, 'permission denied (EACCES) writing /srv/r.csv. Choose a file and folder you may write to, or change their permissions.');
    let range: unknown;
    try {
      'x'.repeat(2 ** 30);
    } catch (e) {
      range = e;
    }
    assert.ok(range instanceof RangeError);
    assert.match(oneLine(range), /^The data is too large to hold in memory as one piece \(Invalid string length\)\. .*lower the limits/);
    assert.equal(describeSystemError(range)?.exitCode, 5);
  });

  it('result store paths: "..", ".", "", "/", "\\" and NUL segments are refused; others stay under the root', () => {
    for (const bad of ['..', '.', '', 'a/b', '../x', 'a\\b', 'a\u0000b']) {
      assert.throws(() => resultFilePath(dir, bad, 'k', 'csv'), /Refused a result source id/, JSON.stringify(bad));
      assert.throws(() => resultFilePath(dir, 's', bad, 'csv'), /Refused a result key/, JSON.stringify(bad));
    }
    assert.throws(() => resultFilePath(dir, 's', 'k', '../csv'), /extension/);
    const ok = resultFilePath(dir, 'source 1', 'posthog-42', 'csv');
    assert.equal(ok, path.join(dir, 'source_1', 'posthog-42.csv'));
  });

  it('the preview CSP forbids <base> and form submissions', () => {
    const html = previewHtml({ cspSource: 'vscode-resource:', nonce: 'n0nce', scriptUri: 'x.js', styleUris: [], title: 't' });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /(^|; )base-uri 'none'(;|$)/);
    assert.match(csp, /(^|; )form-action 'none'(;|$)/);
  });
});
