import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'rollup';

/**
 * Rollup plugin for the sandbox bundle:
 * - `@salesforce/apex/Class.method` becomes a call to the stand-in Apex client (same-origin POST);
 * - lightning-base-components' icon libraries (megabytes of SVG templates, pulled in whole by
 *   inlineDynamicImports) are cut down to the icons our templates name.
 */

const APEX_PREFIX = '@salesforce/apex/';
const VIRTUAL_APEX = '\0handoff-apex:';
const ICON_LIBRARY = /^lightning\/iconSvgTemplates(Utility|Standard|Action|Doctype|Custom)?(Rtl)?$/;
const SUBSET_FILE = '__handoff_subset.js';

const require = createRequire(import.meta.url);
const LBC_DIR = join(dirname(require.resolve('lightning-base-components/package.json')), 'src', 'lightning');

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === '__tests__') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(js|html)$/.test(entry)) out.push(path);
  }
  return out;
}

/** Every `category:name` icon the given source folders mention (icon-name="utility:success", 'standard:flow'...). */
export function iconsUsedIn(dirs: string[]): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const dir of dirs) {
    for (const file of walk(dir)) {
      for (const m of readFileSync(file, 'utf8').matchAll(
        /\b(utility|standard|action|doctype|custom):([a-z0-9_]+)\b/g,
      )) {
        const [, category, name] = m as unknown as [string, string, string];
        if (!used.has(category)) used.set(category, new Set());
        used.get(category)!.add(name);
      }
    }
  }
  return used;
}

export function sandboxStandIns(options: { apexClient: string; iconSourceDirs: string[] }): Plugin {
  const icons = iconsUsedIn(options.iconSourceDirs);
  return {
    name: 'handoff-sandbox-stand-ins',
    resolveId(source) {
      if (source.startsWith(APEX_PREFIX)) return VIRTUAL_APEX + source.slice(APEX_PREFIX.length);
      const icon = ICON_LIBRARY.exec(source);
      if (icon) {
        const category = (icon[1] ?? '').toLowerCase();
        const rtl = icon[2] ? 'Rtl' : '';
        // A path inside the real library folder, so the templates' relative imports resolve as usual.
        const libraryDir = join(LBC_DIR, `iconSvgTemplates${icon[1] ?? ''}${rtl}`, 'buildTemplates');
        return join(libraryDir, `${category || 'all'}${SUBSET_FILE}`);
      }
      return null;
    },
    load(id) {
      if (id.startsWith(VIRTUAL_APEX)) {
        const [className, methodName] = id.slice(VIRTUAL_APEX.length).split('.');
        return [
          `import { callApex } from ${JSON.stringify(options.apexClient)};`,
          `export default function ${methodName}(params) {`,
          `  return callApex(${JSON.stringify(className)}, ${JSON.stringify(methodName)}, params);`,
          `}`,
        ].join('\n');
      }
      if (id.endsWith(SUBSET_FILE)) {
        const category = id.slice(id.lastIndexOf('/') + 1, -SUBSET_FILE.length);
        const names = [...(icons.get(category) ?? [])].filter((name) =>
          statSync(join(dirname(id), category, `${name}.html`), { throwIfNoEntry: false })?.isFile(),
        );
        const imports = names.map((name) => `import ${category}_${name} from './${category}/${name}.html';`);
        return `${imports.join('\n')}\nexport default { ${names.map((n) => `${category}_${n}`).join(', ')} };\n`;
      }
      return null;
    },
  };
}
