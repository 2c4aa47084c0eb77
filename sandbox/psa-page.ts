/** The stand-in Kantata project page: the PSA's own view on the left, Handoff's sidebar on the right. */
export interface PsaPageInput {
  psaProjectId: string;
  projectName: string;
  billingModel: string;
  kantataUiUrl: string;
  sidebarOrigin: string;
  workerUrl: string;
  milestones: string[];
  approvals: { id: string; subjectKey: string; name: string }[];
  /** "forged" or "expired": hand the sidebar a bad token, to see what a PM sees then. */
  badToken?: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function psaPage(p: PsaPageInput): string {
  const milestoneButtons = p.milestones
    .map(
      (m) =>
        `<button type="button" data-action="complete-milestone" data-name="${esc(m)}">Complete “${esc(m)}”</button>`,
    )
    .join(' ');
  const approvals = p.approvals.length
    ? p.approvals
        .map(
          (a) =>
            `<li>${esc(a.name)} is complete: <button type="button" data-action="accept" data-id="${esc(a.id)}">Accept as Ava Chen (engagement lead)</button> <button type="button" data-action="reject" data-id="${esc(a.id)}">Reject</button></li>`,
        )
        .join('')
    : '<li>None waiting.</li>';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(p.projectName)} · Kantata (emulated)</title><style>
body{margin:0;font:14px/1.45 system-ui,sans-serif;background:#f4f5f7;color:#222}
header{background:#1f2d3d;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center}header b{font-size:1.05rem}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 380px;gap:12px;padding:12px}
.panel{background:#fff;border:1px solid #dde1e6;border-radius:6px}.psa iframe{width:100%;height:78vh;border:0}
.actions{padding:.6rem .8rem;border-bottom:1px solid #dde1e6}.actions button{margin:.15rem .2rem .15rem 0}
.actions h2{font-size:.9rem;margin:.3rem 0}#status{color:#555;font-size:.85rem;min-height:1.2em}
#sidebar iframe{width:100%;border:0;min-height:600px}
</style></head><body>
<header><b>Kantata OX</b><span>(emulated) · Projects › ${esc(p.projectName)}</span></header>
<div class="layout">
<section class="panel psa" aria-label="Kantata project">
<div class="actions">
<h2>Act as the team (real Kantata API calls)</h2>
<button type="button" data-action="week">Log and approve a week of time and expenses</button>
${milestoneButtons}
${p.billingModel === 'time_and_materials' ? '<button type="button" data-action="amend">Customer signs a change order in DocuSign</button>' : ''}
<h2>Waiting for acceptance (Ava also has these as cards in <a href="/teams/pane.html" target="_blank">Teams</a>)</h2><ul>${approvals}</ul>
<div id="status" role="status" aria-live="polite"></div>
</div>
<iframe title="Kantata project" src="${esc(p.kantataUiUrl)}"></iframe>
</section>
<aside class="panel" id="sidebar" aria-label="Handoff billing readiness"></aside>
</div>
<script src="${esc(p.sidebarOrigin)}/sidebar/host.js"></script>
<script>
const project = ${JSON.stringify(p.psaProjectId)};
const badToken = ${JSON.stringify(p.badToken ?? '')};
async function getToken() {
  const res = await fetch('/psa/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ psaProjectId: project, bad: badToken }) });
  if (!res.ok) throw new Error('token ' + res.status);
  return (await res.json()).token;
}
HandoffSidebar.mount({
  container: document.getElementById('sidebar'),
  src: ${JSON.stringify(`${p.sidebarOrigin}/sidebar/index.html`)},
  apiOrigin: ${JSON.stringify(p.sidebarOrigin)},
  apiBase: ${JSON.stringify(p.workerUrl)},
  psaProjectId: project,
  title: 'Handoff billing readiness',
  getToken,
});
const status = document.getElementById('status');
document.addEventListener('click', async (e) => {
  const b = e.target.closest('button[data-action]');
  if (!b) return;
  b.disabled = true;
  status.textContent = 'Working…';
  const res = await fetch('/psa/demo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ psaProjectId: project, action: b.dataset.action, name: b.dataset.name, id: b.dataset.id }) });
  status.textContent = res.ok ? (await res.json()).message : 'Failed: ' + (await res.text());
  b.disabled = false;
  if (b.dataset.action === 'accept' || b.dataset.action === 'reject' || b.dataset.action === 'complete-milestone') setTimeout(() => location.reload(), 2500);
});
</script></body></html>`;
}
