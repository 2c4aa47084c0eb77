/** The sandbox's front page: the contract-to-cash story, with a link to each system's view. */
export interface StoryLinks {
  worker: string;
  crmPage: (recordId: string) => string;
  kantataUi: string;
  netsuiteUi: string;
  salesforceUi: (recordId: string) => string;
  /** The console's demo members: who signs in with which provider, as which role. */
  consoleMembers?: readonly { role: string; provider: string; name: string }[];
}

const DEALS: { id: string; name: string; what: string; contract?: string }[] = [
  {
    id: '006000000000001AAA',
    name: 'Northwind Health · EHR rollout',
    what: 'Fixed fee, USD 150,000 in three milestones, California tax, travel capped at USD 12,000.',
  },
  {
    id: '006000000000002AAA',
    name: 'Globex Manufacturing · Data platform',
    what: 'Time and materials with a rate card (one superseded rate), not-to-exceed USD 250,000.',
  },
  {
    id: '006000000000003AAA',
    name: 'Brandt Logistik GmbH · S/4 finance transformation',
    what: 'Fixed fee in EUR, German VAT. Activate it from its Contract record to see the Contract quick action.',
  },
  {
    id: '006000000000004AAA',
    name: 'Initech · Incomplete deal',
    what: 'Missing tax number and postal code, milestones that do not add up: see what the seller is asked to fix.',
  },
];

export function storyPage(l: StoryLinks): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Handoff sandbox</title><style>
body{font:16px/1.55 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
h1{margin-bottom:.2rem}.sub{color:#555;margin-top:0}ol>li{margin:.4rem 0}
.deal{border:1px solid #d8dde6;border-radius:8px;padding:.8rem 1rem;margin:.6rem 0;display:flex;justify-content:space-between;gap:1rem;align-items:center}
.deal p{margin:.2rem 0;color:#444;font-size:.95rem}a.btn{background:#0176d3;color:#fff;padding:.45rem .9rem;border-radius:4px;text-decoration:none;white-space:nowrap}
code{background:#f3f3f3;padding:0 .25rem;border-radius:3px}
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}.deal{border-color:#333}.deal p{color:#bbb}code{background:#222}}
</style></head><body>
<h1>Handoff sandbox</h1>
<p class="sub">Lumen Partners, a demo consulting firm: its CRM (Salesforce), PSA (Kantata) and ERP (NetSuite), emulated on this machine, with Handoff between them.</p>
<h2>The story</h2>
<ol>
<li>Open a signed deal on its Salesforce record page (below) and click <b>Activate project</b>.</li>
<li>Watch the Handoff card: the contract is validated, then the ERP customer, the PSA project (WBS, milestones, rate card, roles), the ERP project and its billing schedule are created and linked, and the result is written back to the opportunity.</li>
<li>Follow the links on the card, or open the systems directly: <a href="${l.kantataUi}">Kantata projects</a> · <a href="${l.netsuiteUi}">NetSuite records</a>.</li>
<li>Click again, as often as you like: there is still one project. Try the incomplete deal to see what a seller is asked to fix.</li>
<li>Open the activated project in Kantata: the Handoff sidebar shows billing readiness. Log a week of approved time and expenses: compliant entries post to NetSuite, an old rate and travel over the allowance are held with their fix.</li>
<li>Complete a milestone and accept it: the invoice is created in NetSuite (which assigns its number) and reported to Kantata and Salesforce. Record the payment on the NetSuite invoice page and watch it become paid.</li>
<li>Open <a href="/teams/pane.html">Ava's Teams chat with the Handoff bot</a>: completed milestones arrive as Adaptive Cards she accepts there. On the Globex project, have the customer sign a change order in DocuSign: Ava's card shows the before and after (rates, cap, schedule) and the time already logged at the old rate; once she approves, the new rate card reaches Kantata, the new cap NetSuite, and the old-rate time is held for review.</li>
</ol>
<h2>Deals</h2>
${DEALS.map((d) => `<div class="deal"><div><b>${d.name}</b><p>${d.what}</p><p><small><a href="/psa/open?opportunity=${d.id}">its project in Kantata, with the Handoff sidebar</a> · <a href="${l.salesforceUi(d.id)}">raw Salesforce record</a>${d.contract ? ` · <a href="${l.crmPage(d.contract)}">open its Contract in Salesforce</a>` : ''}</small></p></div><a class="btn" href="${l.crmPage(d.id)}">Open in Salesforce</a></div>`).join('')}
${
  l.consoleMembers
    ? `<h2>The console</h2><p>Sign in as one of the firm's people: pick them on the emulated sign-in page (${l.consoleMembers
        .map((m) => `${m.name}, ${m.role}${m.provider === 'salesforce' ? ' (Salesforce)' : ''}`)
        .join(
          '; ',
        )}).</p><p><a class="btn" href="${l.worker}/console/auth/entra/start">Sign in with Microsoft</a> <a class="btn" href="${l.worker}/console/auth/salesforce/start">Sign in with Salesforce</a></p>`
    : ''
}
<h2>Behind the scenes</h2>
<ul>
<li>API reference: <a href="${l.worker}/docs">${l.worker}/docs</a> (<a href="${l.worker}/openapi.json">openapi.json</a>)</li>
<li>Worker under <code>wrangler dev</code> with D1, the activation Workflow and the ERP concurrency governor (a Durable Object).</li>
<li>Emulators keep their state in <code>.sandbox/</code>; <code>npm start -- --reset</code> starts over.</li>
</ul>
</body></html>`;
}
