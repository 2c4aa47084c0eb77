// Resolves LWC module ids for jest without depending on the working directory:
// c/* from this plugin's force-app, lightning/* from our stubs then sfdx-lwc-jest's, the rest via @lwc/jest-resolver.
const fs = require('node:fs');
const path = require('node:path');
const lwcResolver = require('@lwc/jest-resolver');

const PLUGIN = path.resolve(__dirname, '..');
const LWC_DIR = path.join(PLUGIN, 'force-app', 'main', 'default', 'lwc');
const LOCAL_STUBS = path.join(__dirname, 'stubs');
const SFDX_STUBS = path.join(
  path.dirname(require.resolve('@salesforce/sfdx-lwc-jest/package.json')),
  'src',
  'lightning-stubs',
);

function firstFile(candidates) {
  return candidates.find((file) => fs.existsSync(file) && fs.statSync(file).isFile());
}

module.exports = function resolve(request, options) {
  if (request === 'lwc') {
    return require.resolve('@lwc/engine-dom');
  }
  const [ns, ...rest] = request.split('/');
  const name = rest.join('/');
  if (ns === 'c' && name) {
    const found = firstFile(['.js', '.ts', '.html'].map((ext) => path.join(LWC_DIR, name, name + ext)));
    if (found) return found;
  }
  if (ns === 'lightning' && name) {
    const found = firstFile([
      path.join(LOCAL_STUBS, 'lightning', `${name}.js`),
      path.join(SFDX_STUBS, name, `${name}.js`),
    ]);
    if (found) return found;
  }
  return lwcResolver(request, options);
};
