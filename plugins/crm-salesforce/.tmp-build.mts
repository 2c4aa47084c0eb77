import { buildCrmSandbox } from '/work/main/plugins/crm-salesforce/sandbox/build.ts';
const t = Date.now();
await buildCrmSandbox('/tmp/crm-gen/out');
console.log('built in', Date.now() - t, 'ms');
