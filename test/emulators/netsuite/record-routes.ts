import type { Context } from 'hono';
import type { EmulatorApp, EmulatorEnv } from '../kit/emulator';
import { instanceBase } from './oauth';
import { optionsOf } from './options';
import type { Problem } from './record-rules';
import {
  createRecord,
  deleteRecord,
  findRecord,
  notFound,
  recordHref,
  recordTypeOf,
  type StoreContext,
  updateRecord,
  upsertRecord,
  type WriteResult,
} from './record-store';
import { recordView, sublistView } from './record-view';
import type { AsyncJob, NetSuiteState } from './state';
import { runSuiteQl } from './suiteql';
import { errorResponse } from './vendor-errors';

type Ctx = Context<EmulatorEnv<NetSuiteState>>;
const RECORD = '/services/rest/record/v1';
const ASYNC = '/services/rest/async/v1/job';

const problemResponse = (p: Problem) => errorResponse(p.status, p);

function storeContext(c: Ctx): StoreContext {
  const instance = c.get('instance');
  return { instance, options: optionsOf(instance), base: instanceBase(c) };
}

function unknownType(type: string): Response {
  return errorResponse(404, { detail: `Record type '${type}' does not exist.`, code: 'NONEXISTENT_ID' });
}

/** Bodies must be JSON objects sent as application/json (or NetSuite's vnd.oracle.resource+json). */
async function readBody(c: Ctx): Promise<Record<string, unknown> | Response> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/json') && !type.startsWith('application/vnd.oracle.resource+json')) {
    return errorResponse(415, {
      detail: `Unsupported Media Type '${type || '(none)'}'. Use application/json.`,
      code: 'INVALID_HEADER',
      header: 'Content-Type',
    });
  }
  try {
    const body = JSON.parse(await c.req.text()) as unknown;
    if (typeof body === 'object' && body !== null && !Array.isArray(body))
      return body as Record<string, unknown>;
  } catch {
    // fall through
  }
  return errorResponse(400, {
    detail: 'Invalid content in the request body: it must be a JSON object.',
    code: 'INVALID_CONTENT',
  });
}

function writeResponse(result: WriteResult): Response {
  if (!result.ok) return problemResponse(result.problem);
  return new Response(null, { status: 204, headers: { Location: result.location } });
}

const replaceSet = (c: Ctx) =>
  new Set(
    (c.req.query('replace') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/**
 * `Prefer: respond-async` runs the request as a job: 202 + Location of the job. With
 * `X-NetSuite-Idempotency-Key`, a second request under the same key is refused and points at the
 * first job ("Sending an Asynchronous Request Using an Idempotency Key").
 */
function maybeAsync(c: Ctx, run: () => WriteResult): Response {
  if (!/respond-async/i.test(c.req.header('prefer') ?? '')) return writeResponse(run());
  const { state } = c.get('instance');
  const base = instanceBase(c);
  const key = c.req.header('x-netsuite-idempotency-key');
  const previous = key ? Object.values(state.asyncJobs).find((j) => j.idempotencyKey === key) : undefined;
  if (previous) {
    const body = {
      type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.10',
      title: 'Conflict',
      status: 400,
      'o:errorDetails': [
        {
          detail:
            'A request with the same idempotency key is already submitted. See the "Location" header for a link to the previously submitted job',
          'o:errorCode': 'IDEMPOTENCY_ERROR',
        },
      ],
    };
    return new Response(JSON.stringify(body), {
      status: 400,
      headers: {
        'Content-Type': 'application/json',
        'Preference-Applied': 'respond-async',
        Location: `${base}${ASYNC}/${previous.id}`,
      },
    });
  }
  const result = run();
  const job: AsyncJob = {
    id: String(++state.sequences.asyncJob),
    idempotencyKey: key,
    createdAt: new Date().toISOString(),
    result: result.ok
      ? { status: 204, location: result.location }
      : { status: result.problem.status, error: result.problem },
  };
  state.asyncJobs[job.id] = job;
  return new Response(null, {
    status: 202,
    headers: { 'Preference-Applied': 'respond-async', Location: `${base}${ASYNC}/${job.id}` },
  });
}

export function registerRecordRoutes(app: EmulatorApp<NetSuiteState>): void {
  app.get(`${RECORD}/:type`, (c) => {
    const type = recordTypeOf(c.req.param('type'));
    if (!type) return unknownType(c.req.param('type'));
    const base = instanceBase(c);
    const all = Object.values(c.get('instance').state.records[type]);
    const limit = Math.min(Number(c.req.query('limit') ?? 1000) || 1000, 1000);
    const offset = Number(c.req.query('offset') ?? 0) || 0;
    const page = all.slice(offset, offset + limit);
    return c.json({
      links: [{ rel: 'self', href: `${base}${RECORD}/${type}?limit=${limit}&offset=${offset}` }],
      count: page.length,
      hasMore: offset + limit < all.length,
      items: page.map((r) => ({ links: [{ rel: 'self', href: recordHref(base, type, r.id) }], id: r.id })),
      offset,
      totalResults: all.length,
    });
  });

  app.get(`${RECORD}/:type/:id`, (c) => {
    const type = recordTypeOf(c.req.param('type'));
    if (!type) return unknownType(c.req.param('type'));
    const { state } = c.get('instance');
    const record = findRecord(state, type, c.req.param('id'));
    if (!record) return problemResponse(notFound());
    const fields = c.req
      .query('fields')
      ?.split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    return c.json(
      recordView(state, instanceBase(c), type, record, {
        fields,
        expandSubResources: c.req.query('expandSubResources') === 'true',
      }),
    );
  });

  app.get(`${RECORD}/:type/:id/:sublist`, (c) => {
    const type = recordTypeOf(c.req.param('type'));
    if (!type) return unknownType(c.req.param('type'));
    const record = findRecord(c.get('instance').state, type, c.req.param('id'));
    if (!record?.sublists[c.req.param('sublist')]) return problemResponse(notFound());
    return c.json(sublistView(instanceBase(c), type, record, c.req.param('sublist')));
  });

  app.post(`${RECORD}/:type`, async (c) => {
    const type = recordTypeOf(c.req.param('type'));
    if (!type) return unknownType(c.req.param('type'));
    const body = await readBody(c);
    if (body instanceof Response) return body;
    return maybeAsync(c, () => createRecord(storeContext(c), type, body));
  });

  app.put(`${RECORD}/:type/:id`, async (c) => {
    const type = recordTypeOf(c.req.param('type'));
    if (!type) return unknownType(c.req.param('type'));
    const body = await readBody(c);
    if (body instanceof Response) return body;
    return maybeAsync(c, () => upsertRecord(storeContext(c), type, c.req.param('id'), body, replaceSet(c)));
  });

  app.patch(`${RECORD}/:type/:id`, async (c) => {
    const type = recordTypeOf(c.req.param('type'));
    if (!type) return unknownType(c.req.param('type'));
    const body = await readBody(c);
    if (body instanceof Response) return body;
    return maybeAsync(c, () => updateRecord(storeContext(c), type, c.req.param('id'), body, replaceSet(c)));
  });

  app.delete(`${RECORD}/:type/:id`, (c) => {
    const type = recordTypeOf(c.req.param('type'));
    if (!type) return unknownType(c.req.param('type'));
    return maybeAsync(c, () => deleteRecord(storeContext(c), type, c.req.param('id')));
  });

  app.post('/services/rest/query/v1/suiteql', async (c) => {
    if (!/transient/i.test(c.req.header('prefer') ?? '')) {
      return errorResponse(400, {
        detail: 'The request header Prefer: transient is required for SuiteQL queries.',
        code: 'INVALID_HEADER',
        header: 'Prefer',
      });
    }
    const body = await readBody(c);
    if (body instanceof Response) return body;
    if (typeof body.q !== 'string')
      return errorResponse(400, {
        detail: 'The request body needs a "q" string.',
        code: 'INVALID_CONTENT',
        path: 'q',
      });
    const result = runSuiteQl(c.get('instance').state, body.q);
    if ('status' in result) return problemResponse(result);
    const base = instanceBase(c);
    // SuiteQL pages with ?limit (at most 1000, the default) and ?offset.
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 1000) || 1000, 1), 1000);
    const offset = Math.max(Number(c.req.query('offset') ?? 0) || 0, 0);
    const page = result.rows.slice(offset, offset + limit);
    return c.json({
      links: [
        { rel: 'self', href: `${base}/services/rest/query/v1/suiteql?limit=${limit}&offset=${offset}` },
      ],
      count: page.length,
      hasMore: offset + limit < result.rows.length,
      items: page.map((r) => ({ links: [], ...r })),
      offset,
      totalResults: result.rows.length,
    });
  });

  registerAsyncJobRoutes(app);
}

function registerAsyncJobRoutes(app: EmulatorApp<NetSuiteState>): void {
  const job = (c: Ctx) => c.get('instance').state.asyncJobs[c.req.param('job') ?? ''];
  app.get(`${ASYNC}/:job`, (c) => {
    const j = job(c);
    if (!j) return problemResponse(notFound());
    const href = `${instanceBase(c)}${ASYNC}/${j.id}`;
    return c.json({
      links: [{ rel: 'self', href }],
      completed: true,
      id: j.id,
      progress: j.result.status < 300 ? 'succeeded' : 'failed',
      task: { links: [{ rel: 'self', href: `${href}/task` }] },
    });
  });
  app.get(`${ASYNC}/:job/task`, (c) => {
    const j = job(c);
    if (!j) return problemResponse(notFound());
    const href = `${instanceBase(c)}${ASYNC}/${j.id}/task`;
    return c.json({
      links: [{ rel: 'self', href }],
      count: 1,
      hasMore: false,
      items: [{ links: [{ rel: 'self', href: `${href}/${j.id}` }], id: j.id }],
      offset: 0,
      totalResults: 1,
    });
  });
  app.get(`${ASYNC}/:job/task/:task/result`, (c) => {
    const j = job(c);
    if (!j || c.req.param('task') !== j.id) return problemResponse(notFound());
    if (j.result.location)
      return new Response(null, { status: 204, headers: { Location: j.result.location } });
    return problemResponse(j.result.error as Problem);
  });
}
