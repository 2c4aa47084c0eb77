/**
 * `npm test`: every suite, one summary. Runs vitest (node, worker on D1, worker on libsql, e2e in
 * Chromium) and the LWC component tests (jest), then prints "N passed, N failed" as its last line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, '.cache', 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const env = {
  ...process.env,
  CI: 'true',
  WRANGLER_SEND_METRICS: 'false',
  XDG_CONFIG_HOME: path.join(root, '.xdg'),
};
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

interface Tally {
  name: string;
  passed: number;
  failed: number;
  ok: boolean;
}
const tallies: Tally[] = [];

function run(name: string, cmd: string, args: string[], report?: string, cwd = root): void {
  console.log(`\n▶ ${name}: ${path.basename(cmd)} ${args.join(' ')}`);
  const started = Date.now();
  const res = spawnSync(cmd, args, { cwd, env, stdio: 'inherit' });
  let passed = 0;
  let failed = 0;
  if (report && existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
    };
    passed = json.numPassedTests;
    failed = json.numFailedTests;
  } else if (!report) {
    passed = res.status === 0 ? 1 : 0;
    failed = res.status === 0 ? 0 : 1;
  }
  // A runner that crashed before reporting counts as a failure, never as a pass.
  if (res.status !== 0 && failed === 0) failed = 1;
  tallies.push({ name, passed, failed, ok: res.status === 0 });
  console.log(
    `◀ ${name}: ${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

if (want('typecheck')) run('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
if (want('typecheck'))
  run('typecheck console', bin('tsc'), ['--noEmit', '-p', 'plugins/console/tsconfig.json']);
// The console is the worker's static assets: the bundle and the worker suites need it built.
if (want('bundle') || want('vitest')) run('build console', bin('tsx'), ['plugins/console/build.ts']);
if (want('lint')) run('lint', bin('biome'), ['check', '.']);
if (want('bundle')) run('bundle', bin('wrangler'), ['deploy', '--dry-run', '--outdir', 'dist/worker']);
if (want('openapi')) run('openapi', bin('tsx'), [path.join(root, 'scripts', 'openapi-lint.ts')]);
if (want('vitest'))
  run(
    'vitest',
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${path.join(out, 'vitest.json')}`],
    path.join(out, 'vitest.json'),
  );
if (want('lwc'))
  run(
    'lwc',
    bin('sfdx-lwc-jest'),
    ['--', '--json', `--outputFile=${path.join(out, 'jest.json')}`],
    path.join(out, 'jest.json'),
    // sfdx-lwc-jest finds sfdx-project.json through the working directory.
    path.join(root, 'plugins/crm-salesforce'),
  );

const passed = tallies.reduce((a, t) => a + t.passed, 0);
const failed = tallies.reduce((a, t) => a + t.failed, 0);
console.log('\nSummary:');
for (const t of tallies)
  console.log(`  ${t.ok ? '✓' : '✗'} ${t.name}: ${t.passed} passed, ${t.failed} failed`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || tallies.some((t) => !t.ok) ? 1 : 0);
