import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { AmendmentChangesSchema } from '../domain/amendments';
import { listAmendments } from '../domain/amendments/list-amendments';
import { receiveAmendment } from '../domain/amendments/receive-amendment';
import { receiveDocuSignEnvelope } from '../domain/amendments/receive-docusign-envelope';
import { ApiError } from '../http/api-error';
import { requireKey } from '../http/auth';
import { idempotent } from '../http/idempotency';
import { log } from '../http/logger';
import { errorResponses, jsonBody, keyScopes, security } from './openapi-common';

const Received = z.object({ id: z.string(), duplicate: z.boolean() });

const docusign = createRoute({
  method: 'post',
  path: '/v1/webhooks/docusign/{tenantId}',
  tags: ['Amendments'],
  summary: 'DocuSign Connect: a signed amendment (envelope-completed, JSON SIM), HMAC-verified',
  security: security.docusignConnect,
  request: { params: z.object({ tenantId: z.string().min(1).max(64) }) },
  responses: {
    202: jsonBody(Received, 'Recorded (or already recorded)'),
    200: jsonBody(z.object({ ignored: z.string() }), 'Not an amendment event'),
    ...errorResponses,
  },
});

const fromCrm = createRoute({
  method: 'post',
  path: '/v1/amendments',
  tags: ['Amendments'],
  summary: 'An amendment signed in the CRM (contract change order). Requires Idempotency-Key.',
  security: keyScopes('crm'),
  middleware: [requireKey('crm'), idempotent('POST /v1/amendments')] as const,
  request: {
    body: {
      ...jsonBody(
        z.object({
          crmRecordId: z
            .string()
            .regex(/^006[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/, 'The opportunity id (006...)'),
          number: z.number().int().min(1),
          amendmentRef: z.string().min(1).max(64).openapi({
            description: "The CRM's record of this amendment; the same ref is the same amendment.",
          }),
          effectiveDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          signedBy: z
            .array(
              z.object({
                name: z.string().min(1),
                email: z.string().email().optional(),
                signedAt: z.string().optional(),
              }),
            )
            .min(1),
          changes: AmendmentChangesSchema,
        }),
        'The amendment',
      ),
      required: true,
    },
  },
  responses: { 202: jsonBody(Received, 'Recorded'), ...errorResponses },
});

const list = createRoute({
  method: 'get',
  path: '/v1/amendments',
  tags: ['Amendments'],
  summary: "A contract's amendments: state, diff, the version they made",
  security: keyScopes('admin', 'crm'),
  middleware: [requireKey('admin', 'crm')] as const,
  request: { query: z.object({ contractKey: z.string().min(15).max(18) }) },
  responses: {
    200: jsonBody(
      z.object({
        amendments: z.array(
          z.object({
            id: z.string(),
            number: z.number(),
            state: z.string(),
            effectiveDate: z.string(),
            contractVersion: z.number().nullable(),
            message: z.string().nullable(),
            diff: z.record(z.string(), z.unknown()).nullable(),
          }),
        ),
      }),
      'Oldest first',
    ),
    ...errorResponses,
  },
});

export function registerV1Amendments(app: App) {
  app.openapi(docusign, async (c) => {
    const { tenantId } = c.req.valid('param');
    const raw = await c.req.text();
    const out = await receiveDocuSignEnvelope(c.get('db'), c.env, {
      tenantId,
      raw,
      headers: c.req.raw.headers,
      correlationId: c.get('correlationId'),
    });
    if (out.outcome === 'unverified')
      throw new ApiError('UNAUTHORIZED', 'The DocuSign Connect signature could not be verified.');
    if (out.outcome === 'ignored') return c.json({ ignored: out.reason }, 200);
    if (out.outcome === 'refused') {
      log('warn', 'docusign event refused', {
        correlationId: c.get('correlationId'),
        tenantId,
        error: out.error,
      });
      throw new ApiError('VALIDATION_FAILED', `The envelope is not a Handoff amendment: ${out.message}`);
    }
    return c.json(out.received, 202);
  });
  app.openapi(fromCrm, async (c) => {
    const b = c.req.valid('json');
    const out = await receiveAmendment(c.get('db'), c.env, {
      tenantId: c.get('principal').tenantId,
      contractKey: b.crmRecordId,
      number: b.number,
      source: 'crm',
      sourceRef: b.amendmentRef,
      effectiveDate: b.effectiveDate,
      signedBy: b.signedBy,
      changes: b.changes,
      correlationId: c.get('correlationId'),
    });
    return c.json(out, 202);
  });
  app.openapi(list, async (c) => {
    const { contractKey } = c.req.valid('query');
    const amendments = await listAmendments(c.get('db'), c.get('principal').tenantId, contractKey);
    return c.json({ amendments }, 200);
  });
}
