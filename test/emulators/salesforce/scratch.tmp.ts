import { createSalesforceConnector } from '../../../worker/connectors/salesforce';
import { ContractSchema } from '../../../shared/model/contract';
import { createSalesforceEmulator, DEMO_IDS, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from './emulator';
const emu = createSalesforceEmulator();
const srv = await emu.listen(0);
const r = await fetch(`${srv.url}/__emulator/instances`, { method: 'POST', headers: {'content-type':'application/json'}, body: JSON.stringify({ id: 'acme', seed: 'demo' }) });
const { baseUrl } = await r.json() as any;
const c = createSalesforceConnector({ instanceUrl: baseUrl, auth: { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET } });
for (const id of [DEMO_IDS.opportunities.northwind, DEMO_IDS.opportunities.globex, DEMO_IDS.contracts.brandt, DEMO_IDS.opportunities.initech]) {
  const snap = await c.loadDeal(id);
  const v = ContractSchema.safeParse(snap.contract);
  console.log(id, v.success ? 'valid' : v.error.issues.map(i => `${i.path.join('.')}: ${i.message} → ${snap.sources[i.path.join('.')]?.label}`));
  if (id === DEMO_IDS.opportunities.globex) console.log(JSON.stringify(snap.contract, null, 1).slice(0, 3000));
}
await c.writeBack(DEMO_IDS.opportunities.northwind, { status: 'Active', activationId: 'act-1', psaProjectUrl: 'https://psa.example/p/1' }, 'k');
console.log(c.apiUsage());
console.log(await c.resolveOpportunityId(DEMO_IDS.contracts.northwind));
await srv.close();
