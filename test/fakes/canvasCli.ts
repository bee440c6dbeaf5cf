/**
 * Runs the `insights` CLI as a child process for end-to-end tests of the Canvas and Studio
 * commands (shared by canvasCli.test and studioCli.test).
 *
 * Which CLI: `INSIGHTS_CLI` when set (e.g. dist/cli.js after `npm run build`); otherwise src/cli.ts
 * is bundled fresh with esbuild into a temp dir, so the tests always exercise the current source.
 * While other platforms' modules are still being written, a relative import that does not exist
 * yet is bundled as an empty stub (listed in `stubbed`), so Canvas/Studio tests do not depend on
 * unrelated work in progress; every stub is reported on stderr.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface CliRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function repoRoot(): string {
  const candidates = [process.cwd()];
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) candidates.push(d);
  const root = candidates.find((d) => fs.existsSync(path.join(d, 'src', 'cli.ts')) && fs.existsSync(path.join(d, 'package.json')));
  if (!root) throw new Error('cannot find the repository root (src/cli.ts)');
  return root;
}

let built: Promise<{ cli: string; stubbed: string[] }> | undefined;

/** Path of a runnable CLI bundle (built once per test process). */
export function cliBundle(): Promise<{ cli: string; stubbed: string[] }> {
  built ??= (async () => {
    if (process.env.INSIGHTS_CLI) return { cli: path.resolve(process.env.INSIGHTS_CLI), stubbed: [] };
    const root = repoRoot();
    // esbuild is a devDependency; required lazily so the fakes never need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require(require.resolve('esbuild', { paths: [root] })) as typeof import('esbuild');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-cli-'));
    const cli = path.join(dir, 'cli.js');
    const stubbed: string[] = [];
    await esbuild.build({
      entryPoints: [path.join(root, 'src', 'cli.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: cli,
      logLevel: 'silent',
      plugins: [
        {
          name: 'stub-missing-relative-imports',
          setup(b) {
            b.onResolve({ filter: /^\.\.?\// }, (args) => {
              const base = path.resolve(args.resolveDir, args.path);
              const exists = ['', '.ts', '.js', '/index.ts', '/index.js'].some((ext) => fs.existsSync(base + ext) && fs.statSync(base + ext).isFile());
              if (exists) return undefined;
              stubbed.push(path.relative(root, base));
              return { path: base, namespace: 'missing-stub' };
            });
            b.onLoad({ filter: /.*/, namespace: 'missing-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
          },
        },
      ],
    });
    if (stubbed.length) process.stderr.write(`      (CLI bundle: stubbed modules not written yet: ${stubbed.join(', ')})\n`);
    return { cli, stubbed };
  })();
  return built;
}

const SECRET_VARS = ['POSTHOG_API_KEY', 'ECHO360_CLIENT_ID', 'ECHO360_CLIENT_SECRET', 'CANVAS_TOKEN', 'STUDIO_TOKEN', 'STUDIO_REFRESH_TOKEN', 'STUDIO_CLIENT_ID', 'STUDIO_CLIENT_SECRET'];

/** Runs `node cli.js ...args` with only the given secrets in its environment. */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 30_000): Promise<CliRun> {
  const { cli } = await cliBundle();
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SECRET_VARS.includes(k)) base[k] = v;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) base[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: base, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out: ${args.join(' ')}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}
