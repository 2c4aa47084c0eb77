import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import lwc from '@lwc/rollup-plugin';
import replace from '@rollup/plugin-replace';
import { transform } from 'esbuild';
import { rollup } from 'rollup';
import { collectUsedClasses, pruneCss } from './prune-css';
import { iconsUsedIn, sandboxStandIns } from './rollup-stand-ins';

/**
 * Builds the Handoff LWC for the sandbox: our card and quick action, unchanged, inside a stand-in
 * Lightning record page (sandbox/lwc/sandbox/recordPage), with stand-ins for the platform modules they
 * import (Apex, toast, navigation, refresh, uiRecordApi, actions, quick action panel). Output:
 *   {outDir}/crm/record-page.html        the page (?recordId=006...)
 *   {outDir}/crm/assets/record-page.js   one IIFE bundle (LWC engine, synthetic shadow, components)
 *   {outDir}/crm/assets/slds.css         the SLDS rules the page uses
 */

const here = dirname(fileURLToPath(import.meta.url));
const PLUGIN_DIR = resolve(here, '..');
const LWC_DIR = join(PLUGIN_DIR, 'force-app', 'main', 'default', 'lwc');
const SANDBOX_LWC_DIR = join(here, 'lwc');
const require = createRequire(import.meta.url);
const SLDS_CSS = join(
  dirname(require.resolve('@salesforce-ux/design-system/package.json')),
  'assets',
  'styles',
  'salesforce-lightning-design-system.min.css',
);

async function ourComponents(): Promise<{ name: string; path: string }[]> {
  const entries = await readdir(LWC_DIR, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: `c/${e.name}`, path: join(LWC_DIR, e.name, `${e.name}.js`) }));
}

async function bundle(): Promise<string> {
  const build = await rollup({
    input: join(SANDBOX_LWC_DIR, 'main.js'),
    plugins: [
      sandboxStandIns({
        apexClient: join(here, 'stand-ins', 'apex-client.js'),
        iconSourceDirs: [LWC_DIR, SANDBOX_LWC_DIR],
      }),
      replace({
        preventAssignment: true,
        values: { 'import.meta.env.SSR': 'false', 'process.env.NODE_ENV': JSON.stringify('production') },
      }),
      lwc({
        rootDir: PLUGIN_DIR,
        // Ours first, so the stand-ins win over lightning-base-components' own modules of the same name.
        modules: [...(await ourComponents()), { dir: SANDBOX_LWC_DIR }, { npm: 'lightning-base-components' }],
      }),
    ],
    onwarn(warning, warn) {
      // LBC and the engine use `this` at module level and circular imports; neither matters here.
      if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return;
      // lightning-base-components' card template declares its slots twice (once per branch); LWC warns, it works.
      if (
        warning.plugin === 'rollup-plugin-lwc-compiler' &&
        warning.id?.includes('lightning-base-components')
      )
        return;
      warn(warning);
    },
  });
  try {
    const { output } = await build.generate({
      format: 'iife',
      inlineDynamicImports: true,
      name: 'HandoffCrmSandbox',
    });
    const [chunk] = output;
    if (chunk?.type !== 'chunk') throw new Error('rollup produced no bundle');
    const minified = await transform(chunk.code, { minify: true, target: 'es2020', legalComments: 'none' });
    return minified.code;
  } finally {
    await build.close();
  }
}

export async function buildCrmSandbox(outDir: string): Promise<void> {
  const crmDir = join(outDir, 'crm');
  const assetsDir = join(crmDir, 'assets');
  await mkdir(assetsDir, { recursive: true });

  const js = await bundle();
  const page = await readFile(join(here, 'page', 'record-page.html'), 'utf8');
  // lightning-icon builds `slds-icon-{category}-{name}` at run time; keep the colours of our icons only,
  // not the few hundred the prefix would match.
  const iconClasses = [...iconsUsedIn([LWC_DIR, SANDBOX_LWC_DIR])].flatMap(([category, names]) =>
    [...names].map((name) => `slds-icon-${category}-${name.replace(/_/g, '-')}`),
  );
  const used = collectUsedClasses([js, page], {
    names: iconClasses,
    ignorePrefixes: /^slds-icon-(?:[a-z]+-)?$/,
  });
  const css = pruneCss(await readFile(SLDS_CSS, 'utf8'), used);

  await writeFile(join(assetsDir, 'record-page.js'), js);
  await writeFile(join(assetsDir, 'slds.css'), css);
  await copyFile(join(here, 'page', 'record-page.html'), join(crmDir, 'record-page.html'));
}
