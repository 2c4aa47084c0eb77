import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildConsole } from '../plugins/console/build';

const root = path.resolve(import.meta.dirname, '..');
const wrangler = path.join(root, 'node_modules', '.bin', 'wrangler');

export interface WorkerVars {
  SECRETS_KEY: string;
  PLATFORM_ADMIN_TOKEN: string;
  [name: string]: string;
}

function runWrangler(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(wrangler, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(' ')} failed:\n${out}`)),
    );
  });
}

/**
 * The worker under `wrangler dev`, fully local: D1 (migrated first), the workflow, the Durable Object and
 * cron (triggered through /__scheduled). State persists in `persistDir` between runs.
 */
export async function startWorker(opts: {
  port: number;
  persistDir: string;
  vars: WorkerVars;
  quiet?: boolean;
}): Promise<{ url: string; child: ChildProcess; close(): Promise<void> }> {
  mkdirSync(opts.persistDir, { recursive: true });
  // The console is the worker's static assets (wrangler.toml `[assets]`): wrangler needs them built.
  await buildConsole(path.join(root, 'dist', 'assets'));
  const env = {
    ...process.env,
    CI: 'true',
    WRANGLER_SEND_METRICS: 'false',
    XDG_CONFIG_HOME: path.join(root, '.xdg'),
    FORCE_COLOR: '0',
  };
  await runWrangler(
    ['d1', 'migrations', 'apply', 'handoff', '--local', '--persist-to', opts.persistDir],
    env,
  );
  const child = spawn(
    wrangler,
    [
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--inspector-port',
      '0',
      '--persist-to',
      opts.persistDir,
      '--test-scheduled',
      '--show-interactive-dev-session=false',
      ...Object.entries({ ...opts.vars, ALLOW_LOOPBACK_CONNECTIONS: 'true' }).flatMap(([k, v]) => [
        '--var',
        `${k}:${v}`,
      ]),
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const onData = (d: Buffer) => {
    log += d.toString();
    if (!opts.quiet) process.stdout.write(`[worker] ${d}`);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${log}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not answer within 90 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    child,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
