/**
 * `insights studio overview|users` end to end: the bundled CLI in a child process against the
 * Studio fake. The CSV must reach stdout / --out byte for byte; exit codes per CLI.md; secrets
 * never printed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliRun, cliBundle, runCli } from '../../fakes/canvasCli';
import { FORBIDDEN_PERSPECTIVE, StudioFake, startStudioFake } from '../../fakes/studio';

const P1 = '3f1c2a9e-8b7d-4c21-9f4e-2d6a1b0c7e55';
const P2 = 'a7d4e0b2-51c3-4f8a-9e6d-0c2b7f1a9d34';

describe('insights studio (CLI end to end)', function () {
  this.timeout(60_000);
  let fake: StudioFake;
  let tmp: string;

  const studio = (args: string[], env: Record<string, string | undefined> = { STUDIO_TOKEN: fake.token }): Promise<CliRun> =>
    runCli(['studio', ...args.slice(0, 1), '--base-url', fake.url, ...args.slice(1)], env);
  const noSecrets = (r: CliRun, secrets: string[]): void => {
    for (const s of secrets) {
      assert.ok(!r.stdout.includes(s), 'secret in stdout');
      assert.ok(!r.stderr.includes(s), 'secret in stderr');
    }
  };

  before(async () => {
    await cliBundle();
    fake = await startStudioFake();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-cli-'));
  });
  after(async () => {
    await fake.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(() => fake.reset());

  it('overview: the CSV exactly as sent, to stdout (exit 0)', async () => {
    const r = await studio(['overview', '--perspective', P1, '--verbose']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.equals(fake.csv('overview', P1)), 'byte for byte, BOM and CRLF included');
    noSecrets(r, [fake.token]);
  });

  it('users --role --out: the CSV exactly as sent, written to the file', async () => {
    const file = path.join(tmp, 'users.csv');
    const r = await studio(['users', '--perspective', `https://school.instructuremedia.com/insights/perspectives/${P2}`, '--role', 'student', '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.readFileSync(file).equals(fake.csv('users', P2, 'student')));
    assert.equal(r.stdout.length, 0);
    assert.equal(fake.requests[0].query.role, 'student');
  });

  it('exit 2 for a perspective that is not a UUID, with no request made', async () => {
    const r = await studio(['overview', '--perspective', 'lecture-videos']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^insights: Perspective "lecture-videos" is not a UUID\./);
    assert.equal(fake.requests.length, 0);
    const noP = await studio(['users']);
    assert.equal(noP.code, 2);
    assert.equal(fake.requests.length, 0);
  });

  it('exit 2 for a role Studio rejects (422)', async () => {
    const r = await studio(['users', '--perspective', P1, '--role', 'dean']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Studio rejected the request \(422\).*check the role "dean"/);
  });

  it('exit 3 for a refused or missing token and a forbidden perspective; exit 4 for an unknown one', async () => {
    const bad = await studio(['overview', '--perspective', P1], { STUDIO_TOKEN: 'stale-studio-token-xyz' });
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /Studio refused the access token \(401\)\. Set Credentials/);
    noSecrets(bad, ['stale-studio-token-xyz']);
    const none = await studio(['overview', '--perspective', P1], {});
    assert.equal(none.code, 3);
    const forbidden = await studio(['overview', '--perspective', FORBIDDEN_PERSPECTIVE]);
    assert.equal(forbidden.code, 3);
    const missing = await studio(['users', '--perspective', '00000000-0000-4000-8000-000000000000']);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /Studio has no perspective 00000000-0000-4000-8000-000000000000 \(404\)/);
  });

  it('renews an expired token from STUDIO_REFRESH_TOKEN + client id/secret, printing none of them', async () => {
    fake.expireAccessToken();
    const env = { STUDIO_TOKEN: fake.token, STUDIO_REFRESH_TOKEN: fake.refreshToken, STUDIO_CLIENT_ID: fake.clientId, STUDIO_CLIENT_SECRET: fake.clientSecret };
    const r = await studio(['overview', '--perspective', P2, '--verbose'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.equals(fake.csv('overview', P2)));
    assert.equal(fake.refreshes(), 1);
    noSecrets(r, [env.STUDIO_TOKEN, env.STUDIO_REFRESH_TOKEN, env.STUDIO_CLIENT_SECRET, fake.token]);
  });
});
