/**
 * The sandbox behind `npm start`: local fake servers of the platforms, plus a JSON file that
 * lists them as sources. `npm start` passes the file's path to VS Code as
 * INSIGHT_EXPLORER_SANDBOX; the extension seeds those sources (and their secrets) on activation,
 * so someone without any account sees working sources at once.
 *
 * File shape: `{ "sources": [{ "kind", "label", "baseUrl", "secret", ...options }] }` — options
 * are whatever the source kind needs (PostHog: projectId; Canvas: accounts, courses; Studio:
 * perspectives; Echo360: region). New fakes add an entry to `servers` and `sources` below.
 *
 * Standalone: `node out/test/fakes/sandbox.js [--port N]` starts the fakes, prints
 * INSIGHT_EXPLORER_SANDBOX=<file> and the server URLs, and serves until Ctrl-C.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCanvasFake } from './canvas';
import { startPostHogFake } from './posthog';
import { startEcho360Fake } from './echo360';
import { STUDIO_PERSPECTIVES, startStudioFake } from './studio';

export interface SandboxSourceSpec {
  kind: string;
  label: string;
  baseUrl: string;
  secret: string;
  [option: string]: string | number | boolean;
}

export interface Sandbox {
  /** The JSON file to hand to the extension as INSIGHT_EXPLORER_SANDBOX. */
  sandboxFile: string;
  servers: { name: string; url: string }[];
  /** Stops every fake and removes the file. */
  close(): Promise<void>;
}

export async function startSandbox(opts: { port?: number } = {}): Promise<Sandbox> {
  const closers: (() => Promise<void>)[] = [];
  const servers: Sandbox['servers'] = [];
  const sources: SandboxSourceSpec[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insight-sandbox-'));
  const close = async () => {
    // Stop in reverse order of start; keep going if one fails so nothing is left listening.
    for (const c of closers.reverse()) await c().catch(() => undefined);
    closers.length = 0;
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    // `port` pins the first fake (PostHog); later fakes take free ports.
    const posthog = await startPostHogFake({ port: opts.port });
    closers.push(() => posthog.close());
    servers.push({ name: 'PostHog', url: posthog.url });
    sources.push({ kind: 'posthog', label: 'Sandbox PostHog', baseUrl: posthog.url, projectId: posthog.projectId, secret: posthog.apiKey });

    // Canvas: the root account (self) and three courses: full access (101), no roster (102: ids
    // instead of names), no analytics permission (103: shows the 403 message).
    const canvas = await startCanvasFake();
    closers.push(() => canvas.close());
    servers.push({ name: 'Canvas', url: canvas.url });
    sources.push({
      kind: 'canvas',
      label: 'Sandbox Canvas',
      baseUrl: canvas.url,
      secret: canvas.token,
      // Names included so the tree reads like a real instance at once (ids alone also work).
      accounts: JSON.stringify([{ id: 'self', name: canvas.data.accounts[0].name }]),
      courses: JSON.stringify(canvas.data.courses.slice(0, 3).map((c) => ({ id: String(c.id), name: c.name }))),
    });

    // Studio: both perspectives, with renewal set up (the secret is the bundle the extension stores).
    const studio = await startStudioFake();
    closers.push(() => studio.close());
    servers.push({ name: 'Canvas Studio', url: studio.url });
    sources.push({
      kind: 'studio',
      label: 'Sandbox Studio',
      baseUrl: studio.url,
      secret: JSON.stringify({
        accessToken: studio.token,
        refreshToken: studio.refreshToken,
        clientId: studio.clientId,
        clientSecret: studio.clientSecret,
      }),
      perspectives: JSON.stringify(STUDIO_PERSPECTIVES),
    });

    // Echo360: reports become Available 3 s after submission, so a run is seen going through.
    const echo = await startEcho360Fake({ pendingMs: 3000 });
    closers.push(() => echo.close());
    servers.push({ name: 'Echo360', url: echo.url });
    sources.push({
      kind: 'echo360',
      label: 'Sandbox Echo360',
      baseUrl: echo.url,
      region: 'custom',
      // The extension stores the client id + secret pair as one JSON secret.
      secret: JSON.stringify({ clientId: echo.clientId, clientSecret: echo.clientSecret }),
    });
  } catch (e) {
    await close();
    throw e;
  }

  const sandboxFile = path.join(dir, 'sandbox.json');
  // Holds the fakes' keys: readable by this user only.
  fs.writeFileSync(sandboxFile, JSON.stringify({ sources }, null, 2), { mode: 0o600 });
  return { sandboxFile, servers, close };
}

if (require.main === module) {
  const i = process.argv.indexOf('--port');
  const port = i >= 0 ? Number(process.argv[i + 1]) : undefined;
  startSandbox({ port }).then(
    (sandbox) => {
      console.log(`INSIGHT_EXPLORER_SANDBOX=${sandbox.sandboxFile}`);
      for (const s of sandbox.servers) console.log(`${s.name}: ${s.url}`);
      const stop = () => {
        void sandbox.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
