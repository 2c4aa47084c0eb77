// @microsoft/app-manifest 1.1.2 requires fs-extra but declares only @types/fs-extra, so npm does not
// install it. This is the part of fs-extra the package uses, on node:fs. See app-manifest.ts.
const fs = require('node:fs');
const fsp = require('node:fs/promises');
module.exports = {
  ...fs,
  readFile: fsp.readFile,
  writeFile: fsp.writeFile,
  pathExists: (p) =>
    fsp.access(p).then(
      () => true,
      () => false,
    ),
  writeJson: (p, obj, opts = {}) => fsp.writeFile(p, `${JSON.stringify(obj, null, opts.spaces)}\n`),
};
