import type { App } from '../app';

interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  paths: Record<
    string,
    Record<
      string,
      {
        summary?: string;
        description?: string;
        tags?: string[];
        parameters?: { name: string; in: string; required?: boolean; description?: string }[];
        requestBody?: { content: Record<string, { schema: unknown }> };
        responses: Record<string, { description: string }>;
      }
    >
  >;
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

/** A readable API reference rendered on the server from the same OpenAPI document: no CDN, works offline. */
function renderReference(doc: OpenApiDoc, styleNonce: string): string {
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
  const body = ops
    .map(({ path, method, op }) => {
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<li><code>${esc(p.name)}</code> <small>(${p.in}${p.required ? ', required' : ''})</small> ${esc(p.description ?? '')}</li>`,
        )
        .join('');
      const schema = op.requestBody?.content['application/json']?.schema;
      const responses = Object.entries(op.responses)
        .map(([code, r]) => `<li><b>${code}</b> ${esc(r.description)}</li>`)
        .join('');
      return `<section id="${method}-${esc(path)}"><h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h2>
<p>${esc(op.summary ?? '')}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}
${params ? `<h3>Parameters</h3><ul>${params}</ul>` : ''}
${schema ? `<h3>Body</h3><pre>${esc(JSON.stringify(schema, null, 2))}</pre>` : ''}
<h3>Responses</h3><ul>${responses}</ul></section>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)} API reference</title><style nonce="${styleNonce}">
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
section{border-top:1px solid #ddd;padding:.5rem 0}h2{font-size:1.05rem}.m{display:inline-block;min-width:4rem;padding:0 .4rem;border-radius:4px;color:#fff;font-size:.8rem;text-align:center}
.get{background:#0b7a3e}.post{background:#0b5cad}.put{background:#8a5a00}.delete{background:#b00020}pre{background:#f6f8fa;padding:.75rem;overflow:auto;font-size:12px}
@media (prefers-color-scheme:dark){body{background:#121212;color:#eee}pre{background:#1e1e1e}section{border-color:#333}}
</style></head><body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Errors always have the shape <code>{"error":{"code","message","requestId","details"}}</code>.</p>
<nav><ul>${ops.map(({ path, method, op }) => `<li><a href="#${method}-${esc(path)}">${method.toUpperCase()} ${esc(path)}</a> ${esc(op.summary ?? '')}</li>`).join('')}</ul></nav>${body}</body></html>`;
}

/** The document's header; `servers` is the origin it was fetched from (each deployment describes itself). */
function documentConfig(origin: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Handoff',
      version: '1.0.0',
      description:
        'Contract-to-cash sync: activate projects from the CRM, follow their progress, connect systems, work the exception queue.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Handoff' },
    },
    servers: [{ url: origin, description: 'This Handoff deployment' }],
  };
}

export function registerDocs(app: App) {
  app.doc31('/openapi.json', (c) => documentConfig(new URL(c.req.url).origin));
  app.get('/docs', (c) =>
    c.html(
      renderReference(
        app.getOpenAPI31Document(documentConfig(new URL(c.req.url).origin)) as unknown as OpenApiDoc,
        c.get('secureHeadersNonce') ?? '',
      ),
    ),
  );
  app.get('/health', (c) => c.json({ ok: true }));
}
