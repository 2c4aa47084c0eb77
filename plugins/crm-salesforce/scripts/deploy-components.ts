import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';

export const PLUGIN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_SOURCE_DIR = join(PLUGIN_DIR, 'force-app');
const NAMED_CREDENTIAL = join('main', 'default', 'namedCredentials', 'Handoff.namedCredential-meta.xml');

export interface PreparedSource {
  components: ComponentSet;
  sourceDir: string;
  /** Removes the temp copy made to set the Handoff URL (no-op otherwise). */
  cleanup(): Promise<void>;
}

/** Rewrites the Url parameter of the Named Credential "Handoff"; the rest of the file is left alone. */
export function withHandoffUrl(xml: string, url: string): string {
  const pattern =
    /(<namedCredentialParameters>\s*<parameterName>Url<\/parameterName>\s*<parameterType>Url<\/parameterType>\s*<parameterValue>)[^<]*(<\/parameterValue>)/;
  if (!pattern.test(xml)) throw new Error('The Handoff named credential has no Url parameter to set.');
  const escaped = url.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return xml.replace(pattern, `$1${escaped}$2`);
}

async function sourceApiVersion(): Promise<string> {
  const project = JSON.parse(await readFile(join(PLUGIN_DIR, 'sfdx-project.json'), 'utf8')) as {
    sourceApiVersion: string;
  };
  return project.sourceApiVersion;
}

/**
 * The components to deploy, as the CLI would collect them (.forceignore applies: jest tests stay home).
 * With a Handoff URL the source is copied to a temp dir first, so the repo keeps its placeholder.
 */
export async function prepareSource(
  options: { sourceDir?: string; handoffUrl?: string } = {},
): Promise<PreparedSource> {
  let sourceDir = resolve(options.sourceDir ?? DEFAULT_SOURCE_DIR);
  let cleanup = async () => {};
  if (options.handoffUrl) {
    const copyRoot = await mkdtemp(join(tmpdir(), 'handoff-sf-deploy-'));
    await cp(sourceDir, join(copyRoot, 'force-app'), { recursive: true });
    // .forceignore is looked up from the source path upwards; bring it along.
    await cp(join(PLUGIN_DIR, '.forceignore'), join(copyRoot, '.forceignore'));
    sourceDir = join(copyRoot, 'force-app');
    const file = join(sourceDir, NAMED_CREDENTIAL);
    await writeFile(file, withHandoffUrl(await readFile(file, 'utf8'), options.handoffUrl));
    cleanup = () => rm(copyRoot, { recursive: true, force: true });
  }
  const components = ComponentSet.fromSource(sourceDir);
  components.sourceApiVersion = await sourceApiVersion();
  return { components, sourceDir, cleanup };
}

/**
 * "Type:fullName" of every component, sorted, including the fields inside a custom object's folder:
 * what a reviewer wants to see before a deploy.
 */
export function describeComponents(components: ComponentSet): string[] {
  const names = new Set(components.toArray().map((c) => `${c.type.name}:${c.fullName}`));
  for (const component of components.getSourceComponents().toArray()) {
    for (const child of component.getChildren()) names.add(`${child.type.name}:${child.fullName}`);
  }
  return [...names].sort();
}
