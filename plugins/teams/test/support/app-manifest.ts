import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Loads @microsoft/app-manifest. Version 1.1.2 `require`s fs-extra without depending on it (only on
 * @types/fs-extra); when fs-extra is absent from node_modules we point that one require at a small shim
 * on node:fs instead of installing a package. If fs-extra is ever installed, it is used as is.
 */
const require = createRequire(import.meta.url);
const SHIM = join(dirname(fileURLToPath(import.meta.url)), 'fs-extra-shim.cjs');

type Resolve = (request: string, ...rest: unknown[]) => string;
const M = Module as unknown as { _resolveFilename: Resolve };

function hasFsExtra(): boolean {
  try {
    require.resolve('fs-extra', { paths: [require.resolve('@microsoft/app-manifest')] });
    return true;
  } catch {
    return false;
  }
}

export const fsExtraShimmed = !hasFsExtra() && existsSync(SHIM);
if (fsExtraShimmed) {
  const original = M._resolveFilename;
  M._resolveFilename = function (request, ...rest) {
    return request === 'fs-extra' ? SHIM : original.call(this, request, ...rest);
  };
}

export const { AppManifestUtils } =
  require('@microsoft/app-manifest') as typeof import('@microsoft/app-manifest');
